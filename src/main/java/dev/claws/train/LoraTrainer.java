package dev.claws.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.claws.model.DecoderModel;

import java.util.Arrays;
import java.util.List;

/**
 * Trains LoRA adapters on a frozen model with DJL's PyTorch autograd: each pass runs the model's own decoder layer
 * ({@link DecoderModel#logits} with the adapters as its {@link dev.claws.model.LinearMaps}) under a gradient collector,
 * the loss is the summed next-token negative log-likelihood divided by the predicted tokens of the whole optimizer
 * step (so accumulated passes add up to the step's mean), then the global gradient norm is clipped and AdamW updates
 * every adapter with the scheduled learning rate. Every pass works in a sub-manager closed at its end; the model's
 * manager is never written to. Not thread-safe: one trainer runs on one thread (autograd mode is per thread).
 */
public final class LoraTrainer {

    private final DecoderModel model;
    private final LoraAdapters adapters;
    private final TrainingConfig config;
    private final LrSchedule schedule;
    private final AdamW optimizer;
    private int step;

    public LoraTrainer(DecoderModel model, LoraAdapters adapters, TrainingConfig config, int totalSteps) {
        this.model = model;
        this.adapters = adapters;
        this.config = config;
        this.schedule = new LrSchedule(config.decay(), config.warmupSteps(), totalSteps);
        this.optimizer = new AdamW(adapters.parameterCount(), config.beta1(), config.beta2(), config.eps(),
                config.weightDecay());
    }

    /** Optimizer steps taken. */
    public int steps() {
        return step;
    }

    /**
     * One optimizer step on {@link TrainingConfig#sequencesPerStep()} sequences of
     * {@link TrainingConfig#sequenceLength()} token ids each, fed {@link TrainingConfig#microBatchRows()} at a time.
     */
    public StepResult step(List<long[]> sequences) {
        int seq = config.sequenceLength();
        int rows = config.microBatchRows();
        if (sequences.size() != config.sequencesPerStep()) {
            throw new IllegalArgumentException("a step takes " + config.sequencesPerStep() + " sequences, got "
                    + sequences.size());
        }
        double predicted = (double) sequences.size() * (seq - 1);
        double loss = 0;
        adapters.training(true);
        try {
            for (int from = 0; from < sequences.size(); from += rows) {
                long[] ids = new long[rows * seq];
                for (int r = 0; r < rows; r++) {
                    long[] s = sequences.get(from + r);
                    if (s.length != seq) {
                        throw new IllegalArgumentException("sequence of " + s.length + " tokens, expected " + seq);
                    }
                    System.arraycopy(s, 0, ids, r * seq, seq);
                }
                loss += pass(ids, rows, predicted);
            }
        } finally {
            adapters.training(false);
        }
        double lr = config.learningRate() * schedule.multiplier(step);
        double norm = update(lr);
        return new StepResult(step++, loss, norm, lr, (long) sequences.size() * seq);
    }

    /** Forward and backward of one micro-batch; returns its share of the step loss. */
    private double pass(long[] ids, int rows, double predicted) {
        int seq = ids.length / rows;
        try (NDManager work = adapters.manager().newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray logits = model.logits(work, ids, rows, adapters);
            long[] targets = new long[rows * (seq - 1)];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(ids, r * seq + 1, targets, r * (seq - 1), seq - 1);
            }
            NDArray picked = logits.get(new NDIndex(":, :-1, :")).logSoftmax(-1)
                    .gather(work.create(targets).reshape(rows, seq - 1, 1), 2);
            NDArray loss = picked.sum().neg().div((float) predicted);
            collector.backward(loss);
            return loss.getFloat();
        }
    }

    /** Clips the accumulated gradients, applies AdamW, drops the gradients; returns the norm before clipping. */
    private double update(double lr) {
        int n = adapters.parameterCount();
        float[][] grads = new float[n][];
        double sq = 0;
        for (int i = 0; i < n; i++) {
            NDArray p = adapters.parameter(i);
            if (p.hasGradient()) {
                try (NDArray g = p.getGradient()) {
                    grads[i] = g.toFloatArray();
                }
            } else {
                grads[i] = new float[(int) p.size()];
            }
            for (float g : grads[i]) {
                sq += (double) g * g;
            }
        }
        double norm = Math.sqrt(sq);
        if (config.maxGradNorm() > 0) {
            // torch.nn.utils.clip_grad_norm_: coefficient max_norm / (norm + 1e-6), clamped to 1
            float coef = (float) Math.min(1.0, config.maxGradNorm() / (norm + 1e-6));
            for (float[] g : grads) {
                for (int j = 0; j < g.length; j++) {
                    g[j] *= coef;
                }
            }
        }
        optimizer.beginStep();
        for (int i = 0; i < n; i++) {
            float[] values = adapters.parameter(i).toFloatArray();
            optimizer.update(i, values, grads[i], lr);
            adapters.replace(i, values); // the fresh array starts without a gradient
        }
        return norm;
    }

    /** Mean next-token cross-entropy (nats) of {@code sequences} with the current adapters, no dropout, no graph. */
    public double loss(List<long[]> sequences) {
        double total = 0;
        long count = 0;
        for (long[] s : sequences) {
            try (NDManager work = adapters.manager().newSubManager()) {
                NDArray logits = model.logits(work, s, 1, adapters);
                long[] targets = Arrays.copyOfRange(s, 1, s.length);
                NDArray picked = logits.get(new NDIndex(":, :-1, :")).logSoftmax(-1)
                        .gather(work.create(targets).reshape(1, -1, 1), 2);
                total -= picked.sum().getFloat();
                count += targets.length;
            }
        }
        return total / count;
    }
}

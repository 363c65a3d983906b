package dev.claws.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.claws.model.DecoderModel;
import dev.claws.model.Engines;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Trains LoRA adapters on a frozen model with DJL's PyTorch autograd: each pass runs the model's own decoder layer
 * ({@link DecoderModel#finalHidden} with the adapters as its {@link dev.claws.model.LinearMaps}) with autograd on for
 * the calling thread only; the loss is the summed next-token negative log-likelihood divided by the predicted tokens
 * of the whole optimizer step (so accumulated passes add up to the step's mean), then the global gradient norm is
 * clipped and AdamW updates
 * every adapter with the scheduled learning rate. Every pass works in a sub-manager closed at its end; the model's
 * manager is never written to. Not thread-safe: one trainer runs on one thread (autograd mode is per thread).
 */
public final class LoraTrainer {

    /** Positions per chunk of the LM head and loss (a [chunk, vocab] logits tensor at a time). */
    static final int LOSS_CHUNK = 256;

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
        int all = Engines.intraOpThreads();
        return Engines.withThreads(busy() ? 1 : all, all, () -> serialStep(sequences));
    }

    /**
     * Whether the machine runs more than it has cores (1-minute load average). Then a step runs on one intra-op
     * thread: it is thousands of ATen calls whose parallel regions wait for descheduled pool threads (median 53.6 vs
     * 5.2 s per 256-token SmolLM2 step at load 13-16 on 2 cores); on a machine with idle cores all threads are faster
     * (1.6-1.7 vs 2.1-2.3 s at load 2-4). Checked once per optimizer step.
     */
    static boolean busy() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load > Runtime.getRuntime().availableProcessors();
    }

    private StepResult serialStep(List<long[]> sequences) {
        int seq = config.sequenceLength();
        int rows = config.microBatchRows();
        if (sequences.size() != config.sequencesPerStep()) {
            throw new IllegalArgumentException("a step takes " + config.sequencesPerStep() + " sequences, got "
                    + sequences.size());
        }
        double predicted = (double) sequences.size() * (seq - 1);
        double loss = 0;
        long[] nanos = new long[4];
        adapters.training(true);
        boolean gradMode = JniUtils.isGradMode();
        try {
            JniUtils.setGradMode(true); // thread-local in PyTorch: records this thread's graph only
            for (int from = 0; from < sequences.size(); from += rows) {
                long[] ids = new long[rows * seq];
                for (int r = 0; r < rows; r++) {
                    long[] s = sequences.get(from + r);
                    if (s.length != seq) {
                        throw new IllegalArgumentException("sequence of " + s.length + " tokens, expected " + seq);
                    }
                    System.arraycopy(s, 0, ids, r * seq, seq);
                }
                loss += pass(ids, rows, predicted, nanos);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
            adapters.training(false);
        }
        if (!Double.isFinite(loss)) {
            throw diverged("the forward loss is " + loss);
        }
        long t0 = System.nanoTime();
        double lr = config.learningRate() * schedule.multiplier(step);
        double norm = update(lr);
        nanos[3] = System.nanoTime() - t0;
        StepResult.Phases phases = new StepResult.Phases(nanos[0] / 1e9, nanos[1] / 1e9, nanos[2] / 1e9,
                nanos[3] / 1e9);
        return new StepResult(step++, loss, norm, lr, (long) sequences.size() * seq, phases);
    }

    /**
     * Forward and backward of one micro-batch; returns its share of the step loss and adds the wall time of its
     * phases (forward, head, backward) to {@code nanos}. The LM head and the loss run a chunk of positions at a time
     * on detached copies of the final hidden states, each chunk's backward giving its rows of dLoss/dh; the decoder
     * stack's backward then starts from h with that gradient. So no [rows, t, vocab] logits tensor, its log-softmax or
     * their gradients exist at once (49,152 x 1,024 floats = 201 MB each on SmolLM2), and the result is the same sum.
     */
    private double pass(long[] ids, int rows, double predicted, long[] nanos) {
        int seq = ids.length / rows;
        try (NDManager work = adapters.manager().newSubManager()) {
            long t0 = System.nanoTime();
            NDArray h = model.finalHidden(work, ids, rows, adapters);
            long t1 = System.nanoTime();
            NDArray detached = h.stopGradient();
            long width = h.getShape().get(2);
            NDList grads = new NDList();
            double loss = 0;
            for (int r = 0; r < rows; r++) {
                for (int from = 0; from < seq - 1; from += LOSS_CHUNK) {
                    int to = Math.min(seq - 1, from + LOSS_CHUNK);
                    try (NDManager chunk = work.newSubManager()) {
                        NDArray hc = detached.get(chunk, new NDIndex("{}, {}:{}, :", r, from, to));
                        hc.setRequiresGradient(true);
                        long[] targets = Arrays.copyOfRange(ids, r * seq + from + 1, r * seq + to + 1);
                        NDArray nll = model.headLogits(hc, adapters).logSoftmax(-1)
                                .gather(chunk.create(targets).reshape(-1, 1), 1).sum().neg()
                                .div(Engines.scalar(hc, predicted));
                        backward(nll, nll.onesLike());
                        loss += nll.getFloat();
                        NDArray g = hc.getGradient();
                        g.attach(work);
                        grads.add(g);
                    }
                }
                grads.add(work.zeros(new Shape(1, width))); // the last position predicts nothing
            }
            NDArray gradH = NDArrays.concat(grads, 0).reshape(h.getShape());
            long t2 = System.nanoTime();
            backward(h, gradH);
            long t3 = System.nanoTime();
            nanos[0] += t1 - t0;
            nanos[1] += t2 - t1;
            nanos[2] += t3 - t2;
            return loss;
        }
    }

    /** Backpropagates {@code grad} (shaped as y) from {@code y} into the leaves, accumulating their gradients. */
    private static void backward(NDArray y, NDArray grad) {
        JniUtils.backward((PtNDArray) y, (PtNDArray) grad, false, false);
    }

    /**
     * Clips the accumulated gradients, applies AdamW, drops the gradients; returns the norm before clipping.
     * A non-finite gradient norm, learning rate or updated weight stops with {@link TrainingDivergedException} before
     * any parameter is replaced: clipping scales every gradient by max / (norm + 1e-6), so one NaN would otherwise
     * turn every adapter weight into NaN.
     */
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
        if (!Double.isFinite(norm)) {
            throw diverged("the gradient norm is " + norm + nonFinite(grads, "gradient"));
        }
        if (!Double.isFinite(lr)) {
            throw diverged("the learning rate is " + lr);
        }
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
        float[][] updated = new float[n][];
        for (int i = 0; i < n; i++) {
            updated[i] = adapters.parameter(i).toFloatArray();
            optimizer.update(i, updated[i], grads[i], lr);
        }
        String bad = nonFinite(updated, "updated weight");
        if (!bad.isEmpty()) {
            throw diverged("the AdamW update (learning rate " + lr + ") gives non-finite weights" + bad);
        }
        for (int i = 0; i < n; i++) {
            adapters.replace(i, updated[i]); // the fresh array starts without a gradient
        }
        return norm;
    }

    /** Training stops at the current step (counted from 1) with the adapters as they were before it. */
    private TrainingDivergedException diverged(String what) {
        return new TrainingDivergedException("LoRA training step " + (step + 1) + " of " + schedule.totalSteps()
                + ": " + what + "; training stopped, the adapters keep their weights from before this step");
    }

    /** " (the first adapter with non-finite values and their count)", or "" when all {@code values} are finite. */
    private String nonFinite(float[][] values, String what) {
        for (int i = 0; i < values.length; i++) {
            int count = 0;
            for (float v : values[i]) {
                if (!Float.isFinite(v)) {
                    count++;
                }
            }
            if (count > 0) {
                LoraAdapters.Site site = adapters.sites().get(i / 2);
                return String.format(Locale.ROOT, " (first at layer %d %s lora_%s: %d of %d %s values are "
                                + "non-finite)", site.layer(), site.target().module(),
                        i % 2 == 0 ? "A" : "B", count, values[i].length, what);
            }
        }
        return "";
    }

    /**
     * Mean next-token cross-entropy (nats) of {@code sequences} with the current adapters, no dropout, no graph; the LM
     * head (which LoRA does not adapt) and its log-softmax run a chunk of positions at a time
     * ({@link DecoderModel#targetLogProbs}).
     */
    public double loss(List<long[]> sequences) {
        double total = 0;
        long count = 0;
        for (long[] s : sequences) {
            try (NDManager work = adapters.manager().newSubManager()) {
                // the last position predicts nothing; causal attention gives the others the same hidden states
                NDArray h = model.finalHidden(work, Arrays.copyOf(s, s.length - 1), 1, adapters);
                long[] targets = Arrays.copyOfRange(s, 1, s.length);
                for (float lp : model.targetLogProbs(work, h.reshape(targets.length, -1), targets)) {
                    total -= lp;
                }
                count += targets.length;
            }
        }
        return total / count;
    }
}

package dev.claws.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.TextTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Recovery fine-tuning of one checkpoint: packs the training data, trains fresh LoRA adapters on the frozen model for
 * D tokens, and writes the adapters merged into the weights as a new checkpoint (optionally the adapter alone in
 * peft's format too). Stops with a {@link CancellationException} at the next step once its thread is interrupted; the
 * merged checkpoint is written atomically, so a stopped run leaves no output directory. Runs in one process are
 * serialized (see {@link #ONE_AT_A_TIME}).
 */
public final class Recovery {

    /**
     * Runs in one process train one at a time: dropout masks come from PyTorch's global generator (seeded per run, so
     * two runs at once would draw each other's masks and neither would be reproducible), and a training step sets the
     * engine's global intra-op thread count. A second run waits (stage "waiting") and can be cancelled meanwhile.
     */
    private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();

    /** Weight of the newest step in the reported exponentially smoothed loss. */
    static final double SMOOTHING = 0.1;

    /** Progress of a run. */
    public interface Progress {
        /**
         * @param tokens         training tokens consumed so far
         * @param budget         D, tokens the run will consume
         * @param smoothedLoss   exponentially smoothed training loss (nats/token), NaN before the first step
         * @param tokensPerSecond training throughput so far
         * @param stage          "waiting" (for another run in this process), "data", "training", "merging"
         */
        void report(long tokens, long budget, double smoothedLoss, double tokensPerSecond, String stage);
    }

    /** What a finished run did. */
    public record Outcome(long tokens, int steps, double firstLoss, double lastSmoothedLoss, double seconds,
                          long trainableParameters) {
    }

    private Recovery() {
    }

    /**
     * @param source     checkpoint to recover (base, RandomPruneNet or SliceGPT variant)
     * @param target     merged checkpoint to create (must not exist)
     * @param adapterDir where to write the adapter in peft's format, or null
     * @param dataDir    the shared data directory (holds alpaca/, wikitext-2-raw/, ptb/)
     */
    public static Outcome run(Path source, Path target, Path adapterDir, Path dataDir, RecoverySpec spec,
                              EngineOptions options, Progress progress) throws IOException {
        if (!ONE_AT_A_TIME.tryLock()) {
            progress.report(0, spec.tokens(), Double.NaN, 0, "waiting");
            try {
                ONE_AT_A_TIME.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("recovery cancelled while waiting for the running one");
            }
        }
        try {
            return runAlone(source, target, adapterDir, dataDir, spec, options, progress);
        } finally {
            ONE_AT_A_TIME.unlock();
        }
    }

    private static Outcome runAlone(Path source, Path target, Path adapterDir, Path dataDir, RecoverySpec spec,
                                    EngineOptions options, Progress progress) throws IOException {
        TrainingConfig training = spec.training();
        int steps = spec.steps();
        progress.report(0, spec.tokens(), Double.NaN, 0, "data");
        try (DecoderModel model = DecoderModel.load(source, options);
             TextTokenizer tokenizer = TextTokenizer.load(source);
             NDManager root = NDManager.newBaseManager(Engine.getEngine("PyTorch").getEngineName())) {
            List<long[]> sequences = spec.data().sequences(dataDir, tokenizer, eosId(model),
                    training.sequenceLength(), steps * training.sequencesPerStep(), spec.seed());
            checkCancelled();
            Engine.getEngine("PyTorch").setRandomSeed((int) spec.seed()); // dropout masks
            try (LoraAdapters adapters = LoraAdapters.initialise(model, spec.lora(), spec.seed(), root)) {
                LoraTrainer trainer = new LoraTrainer(model, adapters, training, steps);
                long start = System.nanoTime();
                double smoothed = Double.NaN;
                double first = Double.NaN;
                int per = training.sequencesPerStep();
                for (int k = 0; k < steps; k++) {
                    checkCancelled();
                    StepResult r = trainer.step(sequences.subList(k * per, (k + 1) * per));
                    if (k == 0) {
                        first = r.loss();
                    }
                    smoothed = Double.isNaN(smoothed) ? r.loss() : (1 - SMOOTHING) * smoothed + SMOOTHING * r.loss();
                    long tokens = (long) (k + 1) * training.tokensPerStep();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    progress.report(tokens, spec.tokens(), smoothed, tokens / seconds, "training");
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                checkCancelled();
                progress.report(spec.tokens(), spec.tokens(), smoothed, spec.tokens() / seconds, "merging");
                if (adapterDir != null) {
                    PeftAdapterFormat.write(adapterDir, adapters, source.getFileName().toString());
                }
                LoraMerge.write(source, adapters, target);
                return new Outcome(spec.tokens(), steps, first, smoothed, seconds, adapters.trainableScalars());
            }
        }
    }

    private static long eosId(DecoderModel model) {
        List<Integer> eos = model.config().eosTokenIds();
        if (eos == null || eos.isEmpty()) {
            throw new IllegalArgumentException("the model's config.json names no eos_token_id, needed to pack examples");
        }
        return eos.get(0);
    }

    private static void checkCancelled() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("recovery cancelled (thread interrupted)");
        }
    }
}

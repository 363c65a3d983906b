package dev.claws.compress;

import dev.claws.model.io.FileTrees;
import dev.claws.model.EngineOptions;
import dev.claws.model.ModelConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * Entry point of the compression layer: turns a base checkpoint directory into a compressed one that the engine
 * (dev.claws.model.DecoderModel) loads. The output keeps the base's dtype and copies its tokenizer and other
 * non-weight files; config.json describes the new shapes. Nothing half-written ever remains under the output name.
 */
public final class Compressor {

    private Compressor() {
    }

    /**
     * Compresses the checkpoint in {@code baseDirectory} into {@code outputDirectory} (must not exist yet; created).
     *
     * @param calibration token id sequences for SliceGPT's PCA (ignored by random_prune; slicegpt with an empty list
     *                    is an IllegalArgumentException)
     * @param progress    may be null
     * @throws IllegalArgumentException a bad spec (ratio outside (0, 1), a ratio that leaves nothing), a missing
     *                                  calibration set, an existing output directory; the message names the field
     * @throws CancellationException    when the thread is interrupted (checked between layers); the interrupt
     *                                  status stays set
     */
    public static CompressionOutcome compress(Path baseDirectory, Path outputDirectory, CompressionSpec spec,
                                              List<long[]> calibration, EngineOptions options,
                                              CompressionProgress progress) {
        return compress(baseDirectory, outputDirectory, spec, calibration, options, progress, false);
    }

    /**
     * As above; with {@code sliceGptRotateOnly} SliceGPT fuses the norms and rotates every residual boundary but keeps
     * the full hidden width (no slicing), which must reproduce the base model's function: a check of the rotation.
     */
    static CompressionOutcome compress(Path baseDirectory, Path outputDirectory, CompressionSpec spec,
                                       List<long[]> calibration, EngineOptions options, CompressionProgress progress,
                                       boolean sliceGptRotateOnly) {
        if (spec == null) {
            throw new IllegalArgumentException("spec is required");
        }
        if (baseDirectory == null || !Files.isDirectory(baseDirectory)) {
            throw new IllegalArgumentException("baseDirectory must be an existing checkpoint directory, got "
                    + baseDirectory);
        }
        if (outputDirectory == null) {
            throw new IllegalArgumentException("outputDirectory is required");
        }
        if (Files.exists(outputDirectory)) {
            throw new IllegalArgumentException("outputDirectory must not exist yet: " + outputDirectory);
        }
        if (options == null) {
            throw new IllegalArgumentException("options are required");
        }
        CompressionProgress report = progress == null ? CompressionProgress.NONE : progress;
        ModelConfig base = ModelConfig.load(baseDirectory);
        try {
            Cancellation.check();
            switch (spec.method()) {
                case RANDOM_PRUNE:
                    RandomPruneNet.Plan plan = RandomPruneNet.plan(base, spec.ratio(), spec.seed(),
                            spec.pruneAttentionHeads());
                    RandomPruneNet.write(baseDirectory, outputDirectory, base, plan, options, report);
                    break;
                case SLICEGPT:
                    int width = sliceGptRotateOnly ? base.hiddenSize() : SliceGpt.slicedWidth(base, spec.ratio());
                    SliceGpt.write(baseDirectory, outputDirectory, base, width, spec.sliceGptPca(), calibration, options,
                            report);
                    break;
                default:
                    throw new IllegalArgumentException("unsupported method " + spec.method());
            }
            return CheckpointFiles.outcome(outputDirectory);
        } catch (RuntimeException | Error e) {
            FileTrees.deleteQuietly(outputDirectory);
            if (!(e instanceof CancellationException) && Thread.currentThread().isInterrupted()) {
                // an interrupt also surfaces as a closed channel inside file IO: report it as what it is
                CancellationException c = new CancellationException("compression cancelled (thread interrupted)");
                c.initCause(e);
                throw c;
            }
            throw e;
        }
    }
}

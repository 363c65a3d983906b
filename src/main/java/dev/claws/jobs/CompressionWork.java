package dev.claws.jobs;

import dev.claws.model.io.FileTrees;
import dev.claws.compress.CompressionOutcome;
import dev.claws.compress.Compressor;
import dev.claws.model.EngineOptions;
import dev.claws.model.TextTokenizer;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Compresses a stored variant into a new one. Everything the job writes lies below the staging directory
 * {@code variants/.partial-<job id>} (the compressor's own temporary files included); the checkpoint, written to
 * {@code .partial-<job id>/checkpoint}, is renamed to {@code variants/<name>} in one atomic step only when it is complete,
 * in the transaction that inserts the VariantEntity row; a failure or cancellation deletes the staging directory (and the
 * renamed one if the row could not be stored), so no half-written variant is ever visible.
 */
public final class CompressionWork implements JobWork {

    /** Share of the progress bar spent on preparing calibration data. */
    private static final double CALIBRATION_SHARE = 0.05;

    private final CompressionJobSpec spec;
    private final JobPaths paths;
    private final EngineOptions options;
    private final VariantRepository variants;
    private volatile VariantStaging staging;

    CompressionWork(CompressionJobSpec spec, JobPaths paths, EngineOptions options, VariantRepository variants) {
        this.spec = spec;
        this.paths = paths;
        this.options = options;
        this.variants = variants;
    }

    @Override
    public JobOutcome run(JobContext context) throws IOException {
        staging = VariantStaging.open(paths, context.jobId());
        Path output = staging.checkpoint();
        List<long[]> calibration = List.of();
        if (spec.calibration() != null) {
            context.progress(0, "calibration data", "reading " + spec.calibration().corpus().id());
            calibration = calibration(spec.calibration(), spec.base().path(), spec.compression().seed(),
                    paths.evalDataDir());
        }
        context.progress(CALIBRATION_SHARE, "compressing", spec.compression().method() + " at ratio "
                + spec.compression().ratio());
        CompressionOutcome outcome = Compressor.compress(spec.base().path(), output, spec.compression(), calibration,
                options, (fraction, stage, message) -> context.progress(
                        CALIBRATION_SHARE + (1 - CALIBRATION_SHARE) * fraction, stage, message));
        context.checkCancelled();
        long bytes = FileTrees.size(output);
        context.progress(1, "registering", spec.name() + ": " + outcome.parameterCount() + " parameters, " + bytes
                + " bytes");
        return jobId -> publish(outcome.parameterCount(), bytes);
    }

    /** Moves the finished checkpoint into place and records it; runs inside the job's final transaction. */
    private JobResultData publish(long parameterCount, long bytes) {
        Path target = staging.publish(paths, spec.name());
        ModelRef base = spec.base();
        long baseParameters = variants.findByName(base.baseModel()).map(b -> b.parameterCount).orElse(0L);
        Double parameterRatio = baseParameters > 0 ? 1 - (double) parameterCount / baseParameters : null;
        VariantEntity row = new VariantEntity();
        row.name = spec.name();
        row.base = base.baseModel();
        row.parent = base.name();
        row.method = VariantEntity.Method.valueOf(spec.compression().method().name());
        row.ratio = spec.compression().ratio();
        row.rftTokens = base.rftTokens();
        row.parameterCount = parameterCount;
        row.parameterRatio = parameterRatio;
        row.sizeBytes = bytes;
        row.path = target.toString();
        variants.persist(row);
        if (parameterRatio == null) {
            return JobResultData.variants(List.of(spec.name()));
        }
        return JobResultData.compression(new JobResultData.Compression(spec.name(), spec.compression().ratio(),
                parameterRatio, parameterCount, baseParameters), notes(parameterRatio, parameterCount, baseParameters));
    }

    /**
     * Warnings when the achieved parameter compression is below the requested ratio: r counts FFN neurons
     * (random_prune) or hidden width (slicegpt), not parameters, and SliceGPT can even grow a model.
     */
    private List<String> notes(double parameterRatio, long parameterCount, long baseParameters) {
        double requested = spec.compression().ratio();
        if (parameterRatio >= requested) {
            return List.of();
        }
        String method = spec.compression().method().name().toLowerCase(java.util.Locale.ROOT);
        String why = switch (spec.compression().method()) {
            case RANDOM_PRUNE -> "random_prune's ratio is the fraction of FFN neurons removed; attention, embeddings "
                    + "and norms are kept whole";
            case SLICEGPT -> "slicegpt's ratio is the fraction of the hidden width sliced away (the SliceGPT paper's "
                    + "slicing ratio); embeddings and the head keep their vocabulary rows, a tied head becomes a "
                    + "separate full-width lm_head, and every layer gains two shortcut matrices";
        };
        String note = String.format(java.util.Locale.ROOT, "achieved parameter compression %.4f is below the requested "
                + "ratio %.4f: %s (%,d parameters, base %,d). %s at r = %s removes that fraction of its structure, not "
                + "of the parameters: %s.", parameterRatio, requested, spec.name(), parameterCount, baseParameters,
                method, requested, why);
        if (parameterRatio < 0) {
            note += String.format(java.util.Locale.ROOT, " The variant has %.1f%% MORE parameters than its base, so it "
                    + "is larger and no faster; ask for a larger ratio.", -100 * parameterRatio);
        }
        return List.of(note);
    }

    @Override
    public void discard() {
        VariantStaging s = staging;
        if (s != null) {
            s.discard();
        }
    }

    /**
     * Cuts the corpus's tokens into non-overlapping sequences of the calibration length and takes {@code samples} of
     * them in an order shuffled with {@code seed}.
     */
    public static List<long[]> calibration(CalibrationSpec spec, Path baseDirectory, long seed, Path dataDir)
            throws IOException {
        Path file = spec.corpus().file(dataDir);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the calibration corpus '" + spec.corpus().id() + "' is missing: " + file);
        }
        long[] tokens;
        try (TextTokenizer tokenizer = TextTokenizer.load(baseDirectory)) {
            tokens = tokenizer.encode(String.join("\n\n", spec.corpus().read(dataDir)), false);
        }
        int available = tokens.length / spec.sequenceLength();
        if (available < spec.samples()) {
            throw new IllegalStateException("calibration: corpus '" + spec.corpus().id() + "' gives " + tokens.length
                    + " tokens, " + available + " sequences of " + spec.sequenceLength() + ", fewer than the "
                    + spec.samples() + " samples asked for; lower calibration.samples or calibration.sequence_length");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < available; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        List<long[]> out = new ArrayList<>(spec.samples());
        for (int i = 0; i < spec.samples(); i++) {
            int start = order.get(i) * spec.sequenceLength();
            out.add(Arrays.copyOfRange(tokens, start, start + spec.sequenceLength()));
        }
        return out;
    }
}

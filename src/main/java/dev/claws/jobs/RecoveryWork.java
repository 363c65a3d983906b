package dev.claws.jobs;

import dev.claws.model.EngineOptions;
import dev.claws.model.io.FileTrees;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import dev.claws.train.Recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Recovery fine-tuning of a stored variant into a new one (LoRA trained on D tokens, merged into the weights). As
 * {@link CompressionWork}: everything is written below {@code variants/.partial-<job id>}, the merged checkpoint (and
 * the peft-format adapter beside it, {@code adapter/}) is renamed to {@code variants/<name>} only in the transaction
 * that inserts the VariantEntity row (rft_tokens = D, parent = the recovered variant); failure or cancellation deletes the
 * staging directory, so no partial variant is ever visible.
 */
public final class RecoveryWork implements JobWork {

    private final RecoveryJobSpec spec;
    private final JobPaths paths;
    private final EngineOptions options;
    private final VariantRepository variants;
    private volatile VariantStaging staging;

    RecoveryWork(RecoveryJobSpec spec, JobPaths paths, EngineOptions options, VariantRepository variants) {
        this.spec = spec;
        this.paths = paths;
        this.options = options;
        this.variants = variants;
    }

    @Override
    public JobOutcome run(JobContext context) throws IOException {
        staging = VariantStaging.open(paths, context.jobId());
        Path output = staging.checkpoint();
        Path adapter = staging.directory().resolve("adapter");
        Recovery.Outcome outcome = Recovery.run(spec.variant().path(), output, adapter, paths.evalDataDir(),
                spec.recovery(), options, (tokens, budget, loss, tps, stage) -> {
                    context.checkCancelled();
                    context.progress(0.97 * tokens / budget, stage, String.format(Locale.ROOT,
                            "%d of %d tokens, smoothed loss %.4f, %.1f tokens/s", tokens, budget, loss, tps));
                });
        context.checkCancelled();
        Files.move(adapter, output.resolve("adapter"), StandardCopyOption.ATOMIC_MOVE);
        long bytes = FileTrees.size(output);
        context.progress(1, "registering", String.format(Locale.ROOT, "%s: D = %d tokens, final smoothed loss %.4f "
                + "(first step %.4f), %.1f tokens/s", spec.name(), outcome.tokens(), outcome.lastSmoothedLoss(),
                outcome.firstLoss(), outcome.tokens() / outcome.seconds()));
        return jobId -> publish(outcome, bytes);
    }

    private JobResultData publish(Recovery.Outcome outcome, long bytes) {
        Path target = staging.publish(paths, spec.name());
        ModelRef parent = spec.variant();
        VariantEntity source = variants.findByName(parent.name()).orElse(null);
        VariantEntity row = new VariantEntity();
        row.name = spec.name();
        row.base = parent.baseModel();
        row.parent = parent.name();
        row.method = parent.method();
        row.ratio = parent.ratio();
        row.rftTokens = outcome.tokens();
        row.parameterCount = source == null ? 0 : source.parameterCount;
        row.parameterRatio = source == null ? null : source.parameterRatio;
        row.sizeBytes = bytes;
        row.path = target.toString();
        variants.persist(row);
        return JobResultData.variants(List.of(spec.name()));
    }

    @Override
    public void discard() {
        VariantStaging s = staging;
        if (s != null) {
            s.discard();
        }
    }
}

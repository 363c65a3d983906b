package dev.claws.jobs;

import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.StopReason;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;
import dev.claws.store.BenchmarkRunEntity;
import dev.claws.store.BenchmarkRunRepository;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Measures prefill and decode latency of several models in one run. Runs are interleaved: for each repeat, each
 * (prompt length, generation length) pair, every model once, the starting model rotating with the repeat, so drift of
 * the machine (heat, other load) hits all models alike. Generation is greedy and never stops early; the prompt is the
 * fixed token pattern i -> (i * 7919 + 13) mod vocab. Warm-up: {@code warmup} unmeasured runs per model at the first
 * pair. Speedup = base decode ms per token / the model's (medians, same pair); ideal speedup = base parameter count /
 * the model's.
 */
final class BenchmarkWork implements JobWork {

    /** Repeated measurements of one model at one pair: prefill ms and decode ms per token. */
    private record Samples(double[] prefillMs, double[] decodeMsPerToken) {
    }

    private final BenchmarkJobSpec spec;
    private final EngineOptions options;
    private final BenchmarkRunRepository runs;

    BenchmarkWork(BenchmarkJobSpec spec, EngineOptions options, BenchmarkRunRepository runs) {
        this.spec = spec;
        this.options = options;
        this.runs = runs;
    }

    @Override
    public JobOutcome run(JobContext context) {
        List<ModelRef> refs = spec.models();
        Map<String, DecoderModel> models = new LinkedHashMap<>();
        try {
            for (int i = 0; i < refs.size(); i++) {
                context.progress(0, "loading models", "loading " + refs.get(i).name() + " (" + (i + 1) + " of "
                        + refs.size() + ")");
                models.put(refs.get(i).name(), DecoderModel.load(refs.get(i).path(), options));
            }
            int first = spec.generationLengths().get(0);
            int firstPrompt = spec.promptLengths().get(0);
            for (ModelRef ref : refs) {
                for (int w = 0; w < spec.warmup(); w++) {
                    context.progress(0, "warming up", ref.name() + " warm-up " + (w + 1) + " of " + spec.warmup());
                    generate(context, models.get(ref.name()), firstPrompt, first);
                }
            }
            int pairs = spec.promptLengths().size() * spec.generationLengths().size();
            long total = (long) spec.repeats() * pairs * refs.size();
            long done = 0;
            Map<String, Samples> samples = new LinkedHashMap<>();
            for (int r = 0; r < spec.repeats(); r++) {
                for (int p : spec.promptLengths()) {
                    for (int g : spec.generationLengths()) {
                        for (int k = 0; k < refs.size(); k++) {
                            ModelRef ref = refs.get((k + r) % refs.size());
                            context.progress((double) done / total, "measuring", "repeat " + (r + 1) + " of "
                                    + spec.repeats() + ": " + ref.name() + ", prompt " + p + ", generate " + g);
                            GenerationResult result = generate(context, models.get(ref.name()), p, g);
                            Samples s = samples.computeIfAbsent(key(ref.name(), p, g), x -> new Samples(
                                    new double[spec.repeats()], new double[spec.repeats()]));
                            s.prefillMs()[r] = result.timings().prefillNanos() / 1e6;
                            s.decodeMsPerToken()[r] = result.timings().nanosPerDecodedToken() / 1e6;
                            done++;
                        }
                    }
                }
            }
            Map<String, Long> parameters = new LinkedHashMap<>();
            models.forEach((name, model) -> parameters.put(name, model.config().parameterCount()));
            List<BenchmarkRunEntity> rows = summarize(samples, parameters);
            context.progress(1, "storing results", rows.size() + " results");
            return jobId -> store(jobId, rows);
        } finally {
            models.values().forEach(DecoderModel::close);
        }
    }

    private static GenerationResult generate(JobContext context, DecoderModel model, int promptLength, int newTokens) {
        GenerationSettings settings = GenerationSettings.greedy(newTokens).withStopTokenIds(List.of());
        GenerationResult result = model.generate(prompt(promptLength, model.config().vocabSize()), settings, null,
                context::cancelled);
        if (result.finishReason() == StopReason.CANCELLED) {
            throw new CancellationException("job " + context.jobId() + " was cancelled");
        }
        context.checkCancelled();
        return result;
    }

    static long[] prompt(int length, int vocab) {
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = (i * 7919L + 13) % vocab;
        }
        return ids;
    }

    private List<BenchmarkRunEntity> summarize(Map<String, Samples> samples, Map<String, Long> parameters) {
        List<BenchmarkRunEntity> rows = new ArrayList<>();
        for (ModelRef ref : spec.models()) {
            for (int p : spec.promptLengths()) {
                for (int g : spec.generationLengths()) {
                    Samples own = samples.get(key(ref.name(), p, g));
                    Samples base = samples.get(key(ref.baseModel(), p, g));
                    BenchmarkStats prefill = BenchmarkStats.of(own.prefillMs());
                    BenchmarkStats decode = BenchmarkStats.of(own.decodeMsPerToken());
                    BenchmarkStats baseDecode = BenchmarkStats.of(base.decodeMsPerToken());
                    BenchmarkRunEntity row = new BenchmarkRunEntity();
                    row.variant = ref.name();
                    row.base = ref.baseModel();
                    row.promptLength = p;
                    row.generationLength = g;
                    row.repeats = spec.repeats();
                    row.prefillMsMedian = prefill.median();
                    row.prefillMsSpread = prefill.spread();
                    row.decodeMsPerTokenMedian = decode.median();
                    row.decodeMsPerTokenSpread = decode.spread();
                    row.tokensPerSecond = decode.median() > 0 ? 1000 / decode.median() : 0;
                    row.speedup = ref.isBaseModel() ? 1.0 : baseDecode.median() / decode.median();
                    row.idealSpeedup = (double) parameters.get(ref.baseModel()) / parameters.get(ref.name());
                    row.device = options.device();
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private JobResultData store(long jobId, List<BenchmarkRunEntity> rows) {
        List<Long> ids = new ArrayList<>();
        for (BenchmarkRunEntity row : rows) {
            row.jobId = jobId;
            runs.persist(row);
            ids.add(row.id);
        }
        return JobResultData.benchmarks(ids);
    }

    private static String key(String name, int promptLength, int generationLength) {
        return name + "\u0000" + promptLength + "\u0000" + generationLength;
    }
}

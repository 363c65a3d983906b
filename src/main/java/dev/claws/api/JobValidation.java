package dev.claws.api;

import dev.claws.api.v1.CalibrationOptions;
import dev.claws.api.v1.CompressionMethod;
import dev.claws.api.v1.EvaluationLimits;
import dev.claws.api.v1.SubmitCompressionRequest;
import dev.claws.api.v1.LoraOptions;
import dev.claws.api.v1.SubmitRecoveryRequest;
import dev.claws.jobs.RecoveryJobSpec;
import dev.claws.jobs.StudySpec;
import dev.claws.train.LoraConfig;
import dev.claws.train.LoraTarget;
import dev.claws.train.LrSchedule;
import dev.claws.train.TrainingConfig;
import dev.claws.train.TrainingData;
import java.util.EnumSet;
import dev.claws.compress.PruningMethod;
import dev.claws.compress.CompressionSpec;
import dev.claws.compress.SliceGptPcaMode;
import dev.claws.eval.Corpus;
import dev.claws.jobs.CalibrationSpec;
import dev.claws.jobs.CompressionJobSpec;
import dev.claws.jobs.JobPaths;
import dev.claws.api.v1.SubmitBenchmarkRequest;
import dev.claws.api.v1.SubmitEvaluationRequest;
import dev.claws.jobs.BenchmarkJobSpec;
import dev.claws.jobs.EvalTasks;
import dev.claws.jobs.EvaluationBudget;
import dev.claws.jobs.EvaluationJobSpec;
import dev.claws.jobs.ModelRef;
import dev.claws.model.ModelConfig;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.claws.api.v1.SliceGptPca;

/**
 * Checks job requests and turns them into the job layer's specs; each failure names the field and what it accepts.
 * Needs an open transaction (it reads the variant table).
 */
final class JobValidation {

    static final int DEFAULT_WINDOW = 1024;
    static final int MIN_WINDOW = 16;
    static final int MAX_BENCHMARK_VARIANTS = 32;
    static final int MAX_LENGTHS = 16;
    static final int DEFAULT_PROMPT_LENGTH = 128;
    static final int DEFAULT_GENERATION_LENGTH = 64;
    static final int MAX_GENERATION_LENGTH = 4096;
    static final int DEFAULT_REPEATS = 5;
    static final int MAX_REPEATS = 100;
    static final int MAX_WARMUP = 10;

    private JobValidation() {
    }

    /** The stored variant of that name; NOT_FOUND when there is none. */
    static VariantEntity variant(VariantRepository variants, String field, String name) {
        String checked = Validation.variantName(field, name);
        return variants.findByName(checked)
                .orElseThrow(() -> ErrorStatus.notFound(field + ": variant '" + checked + "' does not exist"));
    }

    /** The context length (max_position_embeddings) of a stored variant's checkpoint. */
    static int contextLength(VariantEntity row) {
        try {
            return ModelConfig.load(Path.of(row.path)).maxPositionEmbeddings();
        } catch (RuntimeException e) {
            throw ErrorStatus.failedPrecondition("variant '" + row.name + "': its checkpoint at " + row.path
                    + " cannot be read: " + e.getMessage());
        }
    }

    static EvaluationJobSpec evaluation(SubmitEvaluationRequest request, VariantRepository variants, Path dataDir) {
        VariantEntity row = variant(variants, "variant", request.getVariant());
        if (request.getTasksCount() == 0) {
            throw ErrorStatus.invalid("tasks must name at least one task, from " + EvalTasks.known());
        }
        List<String> tasks = tasks("tasks", request.getTasksList(), EvalTasks.known(), dataDir);
        EvaluationBudget budget = budget(request.getLimits(), contextLength(row));
        return new EvaluationJobSpec(ModelRef.of(row), tasks, budget.maxSamplesPerTask(), budget.windowLength(),
                budget.tokenBudget());
    }

    /**
     * The named tasks, checked: each one of {@code allowed}, none listed twice (INVALID_ARGUMENT), each with its data
     * file under {@code dataDir} (FAILED_PRECONDITION).
     */
    static List<String> tasks(String field, List<String> names, List<String> allowed, Path dataDir) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String task = names.get(i);
            if (!allowed.contains(task)) {
                throw ErrorStatus.invalid(field + "[" + i + "] '" + task + "' is not one of " + allowed);
            }
            if (out.contains(task)) {
                throw ErrorStatus.invalid(field + "[" + i + "] '" + task + "' is listed twice");
            }
            Path file = EvalTasks.dataFile(task, dataDir);
            if (!Files.isRegularFile(file)) {
                throw ErrorStatus.failedPrecondition("the data file of " + field + "[" + i + "] '" + task + "' is missing: "
                        + file + " (set claws.eval.data-dir to the directory holding the evaluation data)");
            }
            out.add(task);
        }
        return out;
    }

    /**
     * The compression method a request names; INVALID_ARGUMENT naming {@code field} for COMPRESSION_METHOD_NONE and
     * values this server does not know ({@code number} is the value on the wire).
     */
    static PruningMethod pruningMethod(String field, CompressionMethod method, int number) {
        return knownMethod(method).orElseThrow(() -> ErrorStatus.invalid(field + " must be"
                + " COMPRESSION_METHOD_RANDOM_PRUNE or COMPRESSION_METHOD_SLICEGPT, got "
                + (method == CompressionMethod.UNRECOGNIZED ? String.valueOf(number) : method.name())));
    }

    /** The compression method a request names, if it names one this server runs. */
    private static Optional<PruningMethod> knownMethod(CompressionMethod method) {
        return switch (method) {
            case COMPRESSION_METHOD_RANDOM_PRUNE -> Optional.of(PruningMethod.RANDOM_PRUNE);
            case COMPRESSION_METHOD_SLICEGPT -> Optional.of(PruningMethod.SLICEGPT);
            default -> Optional.empty();
        };
    }

    /** The checked limits of an evaluation of a model with this context length, defaults filled in. */
    static EvaluationBudget budget(EvaluationLimits limits, int context) {
        int maxSamples = limits.getMaxSamplesPerTask();
        if (maxSamples < 0) {
            throw ErrorStatus.invalid("limits.max_samples_per_task must be at most " + Integer.MAX_VALUE + " (0 = all), got "
                    + Integer.toUnsignedString(maxSamples));
        }
        int window = limits.getWindowLength() == 0 ? Math.min(context, DEFAULT_WINDOW) : limits.getWindowLength();
        if (window < MIN_WINDOW || window > context) {
            throw ErrorStatus.invalid("limits.window_length must be between " + MIN_WINDOW + " and the context length "
                    + context + " (0 = min(context length, " + DEFAULT_WINDOW + ")), got "
                    + Integer.toUnsignedString(limits.getWindowLength()));
        }
        long tokens = limits.getTokenBudget();
        if (tokens != 0 && tokens < window) {
            throw ErrorStatus.invalid("limits.token_budget must be 0 (the whole corpus) or at least the window length "
                    + window + ", got " + Long.toUnsignedString(tokens));
        }
        return new EvaluationBudget(maxSamples, window, tokens);
    }

    static final int DEFAULT_CALIBRATION_SAMPLES = 128;
    static final int MAX_CALIBRATION_SAMPLES = 4096;
    static final int DEFAULT_CALIBRATION_LENGTH = 256;
    static final int MIN_CALIBRATION_LENGTH = 16;

    /**
     * Checks a compression request. The returned request has its name filled in (the default name when none was
     * given), so a job rebuilt from the stored request writes the same variant.
     */
    static SubmitCompressionRequest withName(SubmitCompressionRequest request) {
        Optional<PruningMethod> method = knownMethod(request.getMethod());
        if (!request.getName().isEmpty() || !(request.getRatio() > 0 && request.getRatio() < 1) || method.isEmpty()) {
            return request; // a bad ratio or method is reported by compression()
        }
        return request.toBuilder().setName(CompressionJobSpec.defaultName(request.getBase(), method.get(),
                request.getRatio(), request.getSeed())).build();
    }

    /** A recovery request with its name filled in ({@link RecoveryJobSpec#defaultName} when none was given). */
    static SubmitRecoveryRequest withName(SubmitRecoveryRequest request) {
        if (!request.getName().isEmpty()) {
            return request;
        }
        return request.toBuilder().setName(RecoveryJobSpec.defaultName(request.getVariant(), request.getTokenBudget()))
                .build();
    }

    static final long MAX_TOKEN_BUDGET = 10_000_000_000L;

    static RecoveryJobSpec recovery(SubmitRecoveryRequest request, VariantRepository variants, JobPaths paths) {
        VariantEntity source = variant(variants, "variant", request.getVariant());
        StudySpec.RecoveryTemplate template = recoveryTemplate("dataset", request.getDataset(), request.getLora(),
                contextLength(source));
        long perStep = template.training().tokensPerStep();
        long budget = request.getTokenBudget();
        if (budget < perStep || Long.compareUnsigned(budget, MAX_TOKEN_BUDGET) > 0) {
            throw ErrorStatus.invalid("token_budget must be in [" + perStep + " (one optimiser step: batch_size x "
                    + "sequence_length), " + MAX_TOKEN_BUDGET + "], got " + Long.toUnsignedString(budget));
        }
        String name = newVariantName(withName(request).getName(), variants, paths);
        requireTrainingData(template.data(), paths);
        return new RecoveryJobSpec(ModelRef.of(source), name, template.spec(budget, request.getSeed()));
    }

    /** The name of a variant a job will write, checked: a valid name that no stored variant or directory has. */
    private static String newVariantName(String requested, VariantRepository variants, JobPaths paths) {
        String name = Validation.variantName("name", requested);
        if (variants.findByName(name).isPresent()) {
            throw ErrorStatus.invalid("name '" + name + "' is taken by a stored variant; choose another name");
        }
        if (Files.exists(paths.variantDir(name))) {
            throw ErrorStatus.invalid("name '" + name + "' is taken: " + paths.variantDir(name) + " exists already");
        }
        return name;
    }

    /** FAILED_PRECONDITION when the training corpus is not under claws.eval.data-dir. */
    static void requireTrainingData(TrainingData data, JobPaths paths) {
        if (!Files.isRegularFile(data.file(paths.evalDataDir()))) {
            throw ErrorStatus.failedPrecondition("the training data of dataset '" + data.id() + "' is missing: "
                    + data.file(paths.evalDataDir()) + " (set claws.eval.data-dir to the directory holding the data)");
        }
    }

    /**
     * The data, LoRA and optimiser settings of a recovery, checked (except that the data file exists, see
     * {@link #requireTrainingData}); the budget and seed come per run.
     *
     * @param datasetField the request field naming the training corpus
     */
    static StudySpec.RecoveryTemplate recoveryTemplate(String datasetField, String dataset, LoraOptions o,
                                                       int context) {
        String datasetId = dataset.isEmpty() ? TrainingData.ALPACA.id() : dataset;
        TrainingData data = TrainingData.byId(datasetId).orElseThrow(() -> ErrorStatus.invalid(
                datasetField + " must be alpaca, wikitext2 or ptb, got '" + dataset + "'"));
        int rank = o.getRank() == 0 ? 8 : o.getRank();
        if (rank < 1 || rank > 256) {
            throw ErrorStatus.invalid("lora.rank must be in [1, 256], got " + Integer.toUnsignedString(o.getRank()));
        }
        double alpha = o.getAlpha() == 0 ? 16 : o.getAlpha();
        if (!(alpha > 0 && alpha <= 1024)) {
            throw ErrorStatus.invalid("lora.alpha must be in (0, 1024], got " + o.getAlpha());
        }
        double dropout = o.getDropout() == 0 ? 0.05 : o.getDropout();
        if (!(dropout >= 0 && dropout <= 0.9)) {
            throw ErrorStatus.invalid("lora.dropout must be in [0, 0.9], got " + o.getDropout());
        }
        double lr = o.getLearningRate() == 0 ? 2e-4 : o.getLearningRate();
        if (!(lr > 0 && lr <= 1)) {
            throw ErrorStatus.invalid("lora.learning_rate must be in (0, 1], got " + o.getLearningRate());
        }
        int seq = o.getSequenceLength() == 0 ? Math.min(256, context) : o.getSequenceLength();
        if (seq < 16 || seq > context) {
            throw ErrorStatus.invalid("lora.sequence_length must be in [16, " + context + "] (the variant's context length), "
                    + "got " + Integer.toUnsignedString(o.getSequenceLength()));
        }
        int batch = o.getBatchSize() == 0 ? 4 : o.getBatchSize();
        if (batch < 1 || batch > 256) {
            throw ErrorStatus.invalid("lora.batch_size must be in [1, 256], got " + Integer.toUnsignedString(o.getBatchSize()));
        }
        Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (String t : o.getTargetsList()) {
            targets.add(LoraTarget.byName(t).orElseThrow(() -> ErrorStatus.invalid(
                    "lora.targets: '" + t + "' is not one of q, k, v, o, gate, up, down")));
        }
        if (targets.isEmpty()) {
            targets = EnumSet.allOf(LoraTarget.class);
        }
        int rows = 1;
        for (int r = Math.min(4, batch); r >= 1; r--) {
            if (batch % r == 0) {
                rows = r; // sequences per forward/backward pass; the rest is gradient accumulation
                break;
            }
        }
        TrainingConfig training = new TrainingConfig(seq, rows, batch * seq, lr, 0.0, 0.9, 0.999, 1e-8, 0,
                LrSchedule.Decay.LINEAR, 1.0);
        return new StudySpec.RecoveryTemplate(data, new LoraConfig(rank, alpha, dropout, targets), training);
    }

    static CompressionJobSpec compression(SubmitCompressionRequest request, VariantRepository variants,
                                          JobPaths paths) {
        VariantEntity base = variant(variants, "base", request.getBase());
        PruningMethod method = pruningMethod("method", request.getMethod(), request.getMethodValue());
        double ratio = request.getRatio();
        if (!(ratio > 0 && ratio < 1)) {
            throw ErrorStatus.invalid("ratio must be strictly between 0 and 1, got " + ratio);
        }
        if (request.getPruneAttentionHeads() && method != PruningMethod.RANDOM_PRUNE) {
            throw ErrorStatus.invalid("prune_attention_heads is only allowed with COMPRESSION_METHOD_RANDOM_PRUNE");
        }
        String name = newVariantName(withName(request).getName(), variants, paths);
        CalibrationSpec calibration = null;
        if (method == PruningMethod.SLICEGPT) {
            calibration = calibration(request.getCalibration(), contextLength(base), paths.evalDataDir());
        }
        CompressionSpec spec;
        try {
            spec = new CompressionSpec(method, ratio, request.getSeed(), request.getPruneAttentionHeads(),
                    sliceGptPca(request, method));
        } catch (IllegalArgumentException e) {
            throw ErrorStatus.invalid(e.getMessage());
        }
        return new CompressionJobSpec(ModelRef.of(base), name, spec, calibration);
    }

    private static SliceGptPcaMode sliceGptPca(SubmitCompressionRequest request, PruningMethod method) {
        SliceGptPca pca = request.getSlicegptPca();
        if (pca != SliceGptPca.SLICEGPT_PCA_UNSPECIFIED && method != PruningMethod.SLICEGPT) {
            throw ErrorStatus.invalid("slicegpt_pca is only allowed with COMPRESSION_METHOD_SLICEGPT, got " + pca);
        }
        return switch (pca) {
            case SLICEGPT_PCA_UNSPECIFIED, SLICEGPT_PCA_SEQUENTIAL -> SliceGptPcaMode.SEQUENTIAL;
            case SLICEGPT_PCA_SINGLE_PASS -> SliceGptPcaMode.SINGLE_PASS;
            default -> throw ErrorStatus.invalid("slicegpt_pca must be SLICEGPT_PCA_UNSPECIFIED, SLICEGPT_PCA_SEQUENTIAL or"
                    + " SLICEGPT_PCA_SINGLE_PASS, got " + pca);
        };
    }

    static CalibrationSpec calibration(CalibrationOptions options, int context, Path dataDir) {
        String dataset = options.getDataset().isEmpty() ? Corpus.WIKITEXT2.id() : options.getDataset();
        Corpus corpus = Corpus.byId(dataset).orElseThrow(() -> ErrorStatus.invalid("calibration.dataset must be one of "
                + EvalTasks.intrinsic() + " (empty = wikitext2), got '" + dataset + "'"));
        int samples = options.getSamples() == 0 ? DEFAULT_CALIBRATION_SAMPLES : options.getSamples();
        if (samples < 1 || samples > MAX_CALIBRATION_SAMPLES) {
            throw ErrorStatus.invalid("calibration.samples must be between 1 and " + MAX_CALIBRATION_SAMPLES + " (0 = "
                    + DEFAULT_CALIBRATION_SAMPLES + "), got " + Integer.toUnsignedString(options.getSamples()));
        }
        int length = options.getSequenceLength() == 0 ? DEFAULT_CALIBRATION_LENGTH : options.getSequenceLength();
        if (length < MIN_CALIBRATION_LENGTH || length > context) {
            throw ErrorStatus.invalid("calibration.sequence_length must be between " + MIN_CALIBRATION_LENGTH
                    + " and the context length " + context + " (0 = " + DEFAULT_CALIBRATION_LENGTH + "), got "
                    + Integer.toUnsignedString(options.getSequenceLength()));
        }
        Path file = corpus.file(dataDir);
        if (!Files.isRegularFile(file)) {
            throw ErrorStatus.failedPrecondition("the calibration corpus '" + corpus.id() + "' is missing: " + file
                    + " (set claws.eval.data-dir to the directory holding the evaluation data)");
        }
        return new CalibrationSpec(corpus, samples, length);
    }

    static BenchmarkJobSpec benchmark(SubmitBenchmarkRequest request, VariantRepository variants) {
        int count = request.getVariantsCount();
        if (count < 1 || count > MAX_BENCHMARK_VARIANTS) {
            throw ErrorStatus.invalid("variants must name 1 to " + MAX_BENCHMARK_VARIANTS + " variants, got " + count);
        }
        Map<String, VariantEntity> measured = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String field = "variants[" + i + "]";
            VariantEntity row = variant(variants, field, request.getVariants(i));
            if (measured.containsKey(row.name)) {
                throw ErrorStatus.invalid(field + " '" + row.name + "' is listed twice");
            }
            measured.put(row.name, row);
        }
        for (VariantEntity row : List.copyOf(measured.values())) {
            if (!row.isBaseModel() && !measured.containsKey(row.base)) {
                VariantEntity base = variants.findByName(row.base).orElseThrow(() -> ErrorStatus.failedPrecondition("variant '"
                        + row.name + "' has base '" + row.base + "', which is not stored; its speedup cannot be measured"));
                measured.put(base.name, base);
            }
        }
        int context = Integer.MAX_VALUE;
        for (VariantEntity row : measured.values()) {
            context = Math.min(context, contextLength(row));
        }
        List<Integer> prompts = lengths("prompt_lengths", request.getPromptLengthsList(), DEFAULT_PROMPT_LENGTH, 1,
                context, "the context length " + context);
        List<Integer> generations = lengths("generation_lengths", request.getGenerationLengthsList(),
                DEFAULT_GENERATION_LENGTH, 2, MAX_GENERATION_LENGTH, String.valueOf(MAX_GENERATION_LENGTH));
        int longest = prompts.stream().mapToInt(Integer::intValue).max().orElseThrow()
                + generations.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (longest > context) {
            throw ErrorStatus.invalid("prompt_lengths and generation_lengths: the longest prompt plus the longest generation is "
                    + longest + " tokens, more than the context length " + context);
        }
        int repeats = request.getRepeats() == 0 ? DEFAULT_REPEATS : request.getRepeats();
        if (repeats < 1 || repeats > MAX_REPEATS) {
            throw ErrorStatus.invalid("repeats must be between 1 and " + MAX_REPEATS + " (0 = " + DEFAULT_REPEATS + "), got "
                    + Integer.toUnsignedString(request.getRepeats()));
        }
        int warmup = request.getWarmup();
        if (warmup < 0 || warmup > MAX_WARMUP) {
            throw ErrorStatus.invalid("warmup must be between 0 and " + MAX_WARMUP + ", got " + Integer.toUnsignedString(warmup));
        }
        return new BenchmarkJobSpec(measured.values().stream().map(ModelRef::of).toList(), prompts, generations, repeats,
                warmup);
    }

    private static List<Integer> lengths(String field, List<Integer> values, int fallback, int min, int max,
                                         String maxText) {
        if (values.isEmpty()) {
            return List.of(fallback);
        }
        if (values.size() > MAX_LENGTHS) {
            throw ErrorStatus.invalid(field + " may hold at most " + MAX_LENGTHS + " values, got " + values.size());
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            int v = values.get(i);
            if (v < min || v > max) {
                throw ErrorStatus.invalid(field + "[" + i + "] must be between " + min + " and " + maxText + ", got "
                        + Integer.toUnsignedString(v) + (min == 2 ? " (at least 2, so a decode step is measured)" : ""));
            }
            if (out.contains(v)) {
                throw ErrorStatus.invalid(field + "[" + i + "] " + v + " is listed twice");
            }
            out.add(v);
        }
        return out;
    }
}

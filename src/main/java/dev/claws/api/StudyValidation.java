package dev.claws.api;

import dev.claws.api.v1.StudyBenchmarkOptions;
import dev.claws.api.v1.SubmitStudyRequest;
import dev.claws.compress.PruningMethod;
import dev.claws.jobs.CalibrationSpec;
import dev.claws.jobs.EvalTasks;
import dev.claws.jobs.EvaluationBudget;
import dev.claws.jobs.JobPaths;
import dev.claws.jobs.ModelRef;
import dev.claws.jobs.StudySpec;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Checks a SubmitStudy request and turns it into the job layer's {@link StudySpec}; each failure is INVALID_ARGUMENT
 * naming the field and what it accepts (an unknown base NOT_FOUND, missing data files FAILED_PRECONDITION). Needs an
 * open transaction (it reads the variant table).
 */
final class StudyValidation {

    static final int MAX_RATIOS = 32;
    static final int MAX_BUDGETS = 8;
    static final int MIN_SEEDS = 2;
    static final int MAX_SEEDS = 16;
    static final List<Long> DEFAULT_SEEDS = List.of(1L, 2L);
    static final int DEFAULT_PROMPT_LENGTH = 32;
    static final int DEFAULT_GENERATION_LENGTH = 16;
    static final int DEFAULT_REPEATS = 3;
    static final double DEFAULT_INTRINSIC_SIGMA = 1.2;
    static final double DEFAULT_EXTRINSIC_SIGMA = 0.8;

    private StudyValidation() {
    }

    static StudySpec study(SubmitStudyRequest request, VariantRepository variants, JobPaths paths) {
        String name = Validation.variantName("name", request.getName());
        VariantEntity base = JobValidation.variant(variants, "base", request.getBase());
        if (!base.isBaseModel()) {
            throw ErrorStatus.invalid("base '" + base.name + "' is derived from '" + base.base + "' (" + base.method
                    + ", r = " + base.ratio + ", D = " + base.rftTokens + "); a study needs an uncompressed base model");
        }
        int context = JobValidation.contextLength(base);
        List<PruningMethod> methods = methods(request);
        List<Double> ratios = ratios(request);
        List<Long> seeds = seeds(request, methods);
        List<String> corpora = JobValidation.tasks("corpora", request.getCorporaList(), EvalTasks.intrinsic(),
                paths.evalDataDir());
        List<String> tasks = JobValidation.tasks("tasks", request.getTasksList(), EvalTasks.extrinsic(),
                paths.evalDataDir());
        if (corpora.isEmpty() && tasks.isEmpty()) {
            throw ErrorStatus.invalid("corpora and tasks: name at least one corpus " + EvalTasks.intrinsic() + " or task "
                    + EvalTasks.extrinsic());
        }
        String metric = request.getExtrinsicMetric().isEmpty() ? "acc" : request.getExtrinsicMetric();
        if (!metric.equals("acc") && !metric.equals("acc_norm")) {
            throw ErrorStatus.invalid("extrinsic_metric must be acc or acc_norm (empty = acc), got '" + metric + "'");
        }
        EvaluationBudget limits = JobValidation.budget(request.getLimits(), context);
        CalibrationSpec calibration = methods.contains(PruningMethod.SLICEGPT)
                ? JobValidation.calibration(request.getCalibration(), context, paths.evalDataDir()) : null;
        List<Long> budgets = budgets(request);
        StudySpec.RecoveryTemplate recovery = null;
        if (budgets.size() > 1) {
            recovery = JobValidation.recoveryTemplate("rft_dataset", request.getRftDataset(), request.getLora(),
                    context);
            JobValidation.requireTrainingData(recovery.data(), paths);
            long perStep = recovery.training().tokensPerStep();
            for (int i = 0; i < request.getRftBudgetsCount(); i++) {
                long d = request.getRftBudgets(i);
                if (d != 0 && d < perStep) {
                    throw ErrorStatus.invalid("rft_budgets[" + i + "] must be 0 or at least one optimiser step, " + perStep
                            + " tokens (lora.batch_size x lora.sequence_length), got " + Long.toUnsignedString(d));
                }
            }
        }
        StudySpec.BenchmarkSettings benchmark = benchmark(request.getBenchmark(), context);
        double intrinsicSigma = request.getIntrinsicSigma() == 0 ? DEFAULT_INTRINSIC_SIGMA : request.getIntrinsicSigma();
        if (!(intrinsicSigma > 1 && Double.isFinite(intrinsicSigma))) {
            throw ErrorStatus.invalid("intrinsic_sigma must be a finite factor > 1 (0 = " + DEFAULT_INTRINSIC_SIGMA + "), got "
                    + request.getIntrinsicSigma());
        }
        double extrinsicSigma = request.getExtrinsicSigma() == 0 ? DEFAULT_EXTRINSIC_SIGMA : request.getExtrinsicSigma();
        if (!(extrinsicSigma > 0 && extrinsicSigma < 1)) {
            throw ErrorStatus.invalid("extrinsic_sigma must be a fraction in (0, 1) (0 = " + DEFAULT_EXTRINSIC_SIGMA
                    + "), got " + request.getExtrinsicSigma());
        }
        return new StudySpec(name, ModelRef.of(base), methods, ratios, seeds, budgets, corpora, tasks, metric, limits,
                calibration, recovery, benchmark, intrinsicSigma, extrinsicSigma);
    }

    private static List<PruningMethod> methods(SubmitStudyRequest request) {
        if (request.getMethodsCount() == 0) {
            throw ErrorStatus.invalid("methods must name at least one of COMPRESSION_METHOD_RANDOM_PRUNE,"
                    + " COMPRESSION_METHOD_SLICEGPT");
        }
        List<PruningMethod> methods = new ArrayList<>();
        for (int i = 0; i < request.getMethodsCount(); i++) {
            PruningMethod m = JobValidation.pruningMethod("methods[" + i + "]", request.getMethods(i),
                    request.getMethodsValue(i));
            if (methods.contains(m)) {
                throw ErrorStatus.invalid("methods[" + i + "] " + request.getMethods(i) + " is listed twice");
            }
            methods.add(m);
        }
        return methods;
    }

    private static List<Double> ratios(SubmitStudyRequest request) {
        int n = request.getRatiosCount();
        if (n < 1 || n > MAX_RATIOS) {
            throw ErrorStatus.invalid("ratios must hold 1 to " + MAX_RATIOS + " ratios in (0, 1), got " + n);
        }
        TreeSet<Double> ratios = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            double r = request.getRatios(i);
            if (!(r > 0 && r < 1)) {
                throw ErrorStatus.invalid("ratios[" + i + "] must be strictly between 0 and 1, got " + r);
            }
            if (!ratios.add(r)) {
                throw ErrorStatus.invalid("ratios[" + i + "] " + r + " is listed twice");
            }
        }
        return List.copyOf(ratios);
    }

    private static List<Long> seeds(SubmitStudyRequest request, List<PruningMethod> methods) {
        if (request.getSeedsCount() == 0) {
            return DEFAULT_SEEDS;
        }
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < request.getSeedsCount(); i++) {
            long s = request.getSeeds(i);
            if (seeds.contains(s)) {
                throw ErrorStatus.invalid("seeds[" + i + "] " + Long.toUnsignedString(s) + " is listed twice");
            }
            seeds.add(s);
        }
        if (seeds.size() > MAX_SEEDS) {
            throw ErrorStatus.invalid("seeds may hold at most " + MAX_SEEDS + " seeds, got " + seeds.size());
        }
        if (methods.contains(PruningMethod.RANDOM_PRUNE) && seeds.size() < MIN_SEEDS) {
            throw ErrorStatus.invalid("seeds must hold at least " + MIN_SEEDS + " distinct seeds when random_prune is studied"
                    + " (one random mask can be far worse than another; empty = " + DEFAULT_SEEDS + "), got "
                    + seeds.size());
        }
        return seeds;
    }

    private static List<Long> budgets(SubmitStudyRequest request) {
        if (request.getRftBudgetsCount() > MAX_BUDGETS) {
            throw ErrorStatus.invalid("rft_budgets may hold at most " + MAX_BUDGETS + " values, got "
                    + request.getRftBudgetsCount());
        }
        TreeSet<Long> budgets = new TreeSet<>(List.of(0L));
        for (int i = 0; i < request.getRftBudgetsCount(); i++) {
            long d = request.getRftBudgets(i);
            if (Long.compareUnsigned(d, JobValidation.MAX_TOKEN_BUDGET) > 0) {
                throw ErrorStatus.invalid("rft_budgets[" + i + "] must be at most " + JobValidation.MAX_TOKEN_BUDGET + ", got "
                        + Long.toUnsignedString(d));
            }
            if (d != 0 && !budgets.add(d)) {
                throw ErrorStatus.invalid("rft_budgets[" + i + "] " + d + " is listed twice");
            }
        }
        return List.copyOf(budgets);
    }

    private static StudySpec.BenchmarkSettings benchmark(StudyBenchmarkOptions o, int context) {
        int prompt = o.getPromptLength() == 0 ? DEFAULT_PROMPT_LENGTH : o.getPromptLength();
        if (prompt < 1 || prompt > context) {
            throw ErrorStatus.invalid("benchmark.prompt_length must be between 1 and the context length " + context + " (0 = "
                    + DEFAULT_PROMPT_LENGTH + "), got " + Integer.toUnsignedString(o.getPromptLength()));
        }
        int generate = o.getGenerationLength() == 0 ? DEFAULT_GENERATION_LENGTH : o.getGenerationLength();
        if (generate < 2 || generate > JobValidation.MAX_GENERATION_LENGTH || prompt + generate > context) {
            throw ErrorStatus.invalid("benchmark.generation_length must be between 2 and " + JobValidation.MAX_GENERATION_LENGTH
                    + ", with prompt_length + generation_length at most the context length " + context + " (0 = "
                    + DEFAULT_GENERATION_LENGTH + "), got " + Integer.toUnsignedString(o.getGenerationLength()));
        }
        int repeats = o.getRepeats() == 0 ? DEFAULT_REPEATS : o.getRepeats();
        if (repeats < 1 || repeats > JobValidation.MAX_REPEATS) {
            throw ErrorStatus.invalid("benchmark.repeats must be between 1 and " + JobValidation.MAX_REPEATS + " (0 = "
                    + DEFAULT_REPEATS + "), got " + Integer.toUnsignedString(o.getRepeats()));
        }
        int warmup = o.getWarmup();
        if (warmup < 0 || warmup > JobValidation.MAX_WARMUP) {
            throw ErrorStatus.invalid("benchmark.warmup must be between 0 and " + JobValidation.MAX_WARMUP + ", got "
                    + Integer.toUnsignedString(warmup));
        }
        return new StudySpec.BenchmarkSettings(prompt, generate, repeats, warmup);
    }
}

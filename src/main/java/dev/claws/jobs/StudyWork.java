package dev.claws.jobs;

import dev.claws.compress.PruningMethod;
import dev.claws.compress.CompressionSpec;
import dev.claws.law.SettingFit;
import dev.claws.law.SpeedObservation;
import dev.claws.law.StudyAnalysis;
import dev.claws.law.StudyObservation;
import dev.claws.model.EngineOptions;
import dev.claws.store.BenchmarkRunEntity;
import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.EvalResultEntity;
import dev.claws.store.EvalResultRepository;
import dev.claws.store.StudyResultEntity;
import dev.claws.store.StudyResultRepository;
import dev.claws.store.StudyStepEntity;
import dev.claws.store.StudyStepRepository;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs a compression-law study: for every cell of the grid (method, r, seed, D) it compresses the base, recovers the
 * compressed variant with D tokens when D > 0, evaluates the cell's variant on every corpus and task, benchmarks it
 * against the base (D = 0 only: RFT merges its adapters, the shapes stay those of the compressed model), then fits the
 * law per setting ({@link StudyAnalysis}) and stores the fits and the analysis.
 *
 * <p>Each step is the existing job work (compression, recovery, evaluation, benchmark) run inside this job, and its
 * products are committed as soon as it ends, together with a study_step row keyed by the step's lineage (parent,
 * method, ratio, seed, calibration, D and training settings, task and evaluation limits, benchmark settings). Before a
 * step runs, that key is looked up: a step whose products still exist is reused, so a study resumed after a restart,
 * or submitted again after a cancellation, redoes only the step that was cut short.
 */
final class StudyWork implements JobWork {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(StudyWork.class);

    /** The stores a study reads and writes. */
    record Stores(VariantRepository variants, EvalResultRepository evalResults, BenchmarkRunRepository benchmarkRuns,
                  StudyStepRepository steps, StudyResultRepository results, LawFitArchive lawFits) {
    }

    /** A finished cell and the variant it measured. */
    private record CellOutcome(StudySpec.Cell cell, String variant) {
    }

    private final StudySpec spec;
    private final JobPaths paths;
    private final EngineOptions options;
    private final Stores stores;
    private volatile JobWork current;
    private int stepsRun;
    private int stepsReused;

    StudyWork(StudySpec spec, JobPaths paths, EngineOptions options, Stores stores) {
        this.spec = spec;
        this.paths = paths;
        this.options = options;
        this.stores = stores;
    }

    @Override
    public JobOutcome run(JobContext context) throws Exception {
        lookups = context;
        List<StudySpec.Cell> cells = spec.cells();
        int parts = cells.size() + 1;
        double analysisShare = 0.02;
        double per = (1 - analysisShare) / parts;
        evaluate(spec.base(), context.part(0, per, "base: ", "base " + spec.base().name() + ": "));
        List<CellOutcome> outcomes = new ArrayList<>();
        Map<String, ModelRef> compressed = new LinkedHashMap<>();
        for (int i = 0; i < cells.size(); i++) {
            StudySpec.Cell cell = cells.get(i);
            int runBefore = stepsRun;
            int reusedBefore = stepsReused;
            JobContext part = context.part(per * (i + 1), per * (i + 2), "cell " + (i + 1) + " of " + cells.size()
                     + " (" + cell.label() + "): ", i + " of " + cells.size() + " cells done; ");
            String compressedKey = compressionKey(cell);
            ModelRef pruned = compressed.get(compressedKey);
            if (pruned == null) {
                pruned = compress(cell, compressedKey, part.part(0, 0.45, "", ""));
                compressed.put(compressedKey, pruned);
            }
            ModelRef variant = cell.rftTokens() == 0 ? pruned
                    : recover(cell, pruned, part.part(0.45, 0.75, "", ""));
            evaluate(variant, part.part(0.75, 0.92, "", ""));
            if (cell.rftTokens() == 0) {
                benchmark(variant, part.part(0.92, 1, "", ""));
            }
            part.progress(1, "done", variant.name() + " (" + (stepsRun - runBefore) + " step(s) run, "
                    + (stepsReused - reusedBefore) + " reused)");
            outcomes.add(new CellOutcome(cell, variant.name()));
        }
        context.progress(1 - analysisShare, "fitting laws", cells.size() + " cells: " + stepsRun + " step(s) run, "
                + stepsReused + " reused");
        context.checkCancelled();
        return jobId -> analyse(jobId, outcomes);
    }

    // ---- steps ------------------------------------------------------------------------------------------------------

    private String compressionKey(StudySpec.Cell cell) {
        StringBuilder key = new StringBuilder(String.format(Locale.ROOT, "compress|parent=%s|method=%s|ratio=%s|seed=%d",
                spec.base().name(), cell.method(), cell.ratio(), cell.seed()));
        if (cell.method() == PruningMethod.SLICEGPT) {
            CalibrationSpec c = spec.calibration();
            key.append(String.format(Locale.ROOT, "|pca=SEQUENTIAL|calibration=%s,%d,%d", c.corpus().id(),
                    c.samples(), c.sequenceLength()));
        }
        return key.toString();
    }

    private ModelRef compress(StudySpec.Cell cell, String key, JobContext context) throws Exception {
        Optional<ModelRef> reused = reuseVariant(key);
        if (reused.isPresent()) {
            context.progress(1, "compressed (reused)", reused.get().name());
            return reused.get();
        }
        String name = freeName(CompressionJobSpec.defaultName(spec.base().name(), cell.method(), cell.ratio(),
                cell.seed()), context);
        CompressionSpec compression = new CompressionSpec(cell.method(), cell.ratio(), cell.seed(), false, null);
        CalibrationSpec calibration = cell.method() == PruningMethod.SLICEGPT ? spec.calibration() : null;
        CompressionWork work = new CompressionWork(new CompressionJobSpec(spec.base(), name, compression, calibration),
                paths, options, stores.variants());
        return runVariantStep(work, context, key, StudyStepEntity.Kind.COMPRESSION, name);
    }

    private ModelRef recover(StudySpec.Cell cell, ModelRef parent, JobContext context) throws Exception {
        String key = String.format(Locale.ROOT, "recover|parent=%s|D=%d|seed=%d|%s", parent.name(), cell.rftTokens(),
                cell.seed(), spec.recovery().key());
        Optional<ModelRef> reused = reuseVariant(key);
        if (reused.isPresent()) {
            context.progress(1, "recovered (reused)", reused.get().name());
            return reused.get();
        }
        String name = freeName(RecoveryJobSpec.defaultName(parent.name(), cell.rftTokens()), context);
        RecoveryWork work = new RecoveryWork(new RecoveryJobSpec(parent, name,
                spec.recovery().spec(cell.rftTokens(), cell.seed())), paths, options, stores.variants());
        return runVariantStep(work, context, key, StudyStepEntity.Kind.RECOVERY, name);
    }

    private ModelRef runVariantStep(JobWork work, JobContext context, String key, StudyStepEntity.Kind kind, String name)
            throws Exception {
        return runStep(work, context, 1, stored -> {
            remember(key, kind, context.jobId(), name, List.of());
            return ModelRef.of(stores.variants().findByName(name).orElseThrow());
        });
    }

    /**
     * Runs a step's work inside this job, then stores its products and the study_step rows ({@code afterStore}, given
     * what was stored) in one transaction, and counts {@code steps} steps run.
     */
    private <T> T runStep(JobWork work, JobContext context, int steps, Function<JobResultData, T> afterStore)
            throws Exception {
        current = work;
        JobOutcome outcome = work.run(context);
        context.checkCancelled();
        T made = context.commit(() -> afterStore.apply(outcome.store(context.jobId())));
        current = null;
        stepsRun += steps;
        return made;
    }

    /** The variant a finished step with this key made, if it is still stored; a stale entry is forgotten. */
    private Optional<ModelRef> reuseVariant(String key) {
        return Optional.ofNullable(lookup(() -> {
            StudyStepEntity step = stores.steps().findByKey(key).orElse(null);
            if (step == null) {
                return null;
            }
            Optional<VariantEntity> row = stores.variants().findByName(step.variant);
            if (row.isEmpty() || !java.nio.file.Files.isDirectory(java.nio.file.Path.of(row.get().path))) {
                stores.steps().delete(step);
                return null;
            }
            stepsReused++;
            return ModelRef.of(row.get());
        }));
    }

    /** The job's context, for the look-ups of finished steps. */
    private JobContext lookups;

    /** Runs a look-up (which may forget a stale step) through the job's commit thread. */
    private <T> T lookup(java.util.function.Supplier<T> body) {
        return lookups.commit(body);
    }

    /**
     * {@code preferred}, or with "-j<job id>" appended when a stored variant has that name. A directory of that name
     * without a variant row is what a publication whose transaction was lost left behind (H2 keeps the last commits of
     * up to half a second in memory, so kill -9 can undo them): it is removed and the name used.
     */
    private String freeName(String preferred, JobContext context) {
        return context.commit(() -> {
            if (stores.variants().findByName(preferred).isPresent()) {
                return preferred + "-j" + context.jobId();
            }
            java.nio.file.Path orphan = paths.variantDir(preferred);
            if (java.nio.file.Files.exists(orphan)) {
                LOG.infof("study job %d: %s has no variant row (its commit was lost); removing it", context.jobId(),
                        orphan);
                dev.claws.model.io.FileTrees.deleteQuietly(orphan);
            }
            return preferred;
        });
    }

    /** An evaluation's lineage: the variant, the task and the limits that apply to it (corpora: window and tokens). */
    private String evaluationKey(String variant, String task) {
        EvaluationBudget l = spec.evaluation();
        String limits = EvalTasks.isIntrinsic(task)
                ? String.format(Locale.ROOT, "window=%d|tokens=%d", l.windowLength(), l.tokenBudget())
                : String.format(Locale.ROOT, "samples=%d", l.maxSamplesPerTask());
        return "eval|variant=" + variant + "|task=" + task + "|" + limits;
    }

    /** Evaluates the variant on every task not yet evaluated with the study's limits. */
    private void evaluate(ModelRef variant, JobContext context) throws Exception {
        List<String> missing = new ArrayList<>();
        for (String task : spec.allTasks()) {
            String key = evaluationKey(variant.name(), task);
            boolean done = reuseRows(key, ids -> stores.evalResults().count("id in ?1", ids));
            if (done) {
                stepsReused++;
            } else {
                missing.add(task);
            }
        }
        if (missing.isEmpty()) {
            context.progress(1, "evaluated (reused)", variant.name());
            return;
        }
        EvaluationBudget l = spec.evaluation();
        EvaluationWork work = new EvaluationWork(new EvaluationJobSpec(variant, missing, l.maxSamplesPerTask(),
                l.windowLength(), l.tokenBudget()), paths.evalDataDir(), options, stores.evalResults());
        runStep(work, context, missing.size(), stored -> { // a step per task, as reuse counts them
            Map<String, List<Long>> byTask = new LinkedHashMap<>();
            for (EvalResultEntity row : stores.evalResults().listByIds(stored.evalResultIds())) {
                byTask.computeIfAbsent(row.task, t -> new ArrayList<>()).add(row.id);
            }
            byTask.forEach((task, ids) -> remember(evaluationKey(variant.name(), task), StudyStepEntity.Kind.EVALUATION,
                    context.jobId(), variant.name(), ids));
            return null;
        });
    }

    private String benchmarkKey(String variant) {
        StudySpec.BenchmarkSettings b = spec.benchmark();
        return String.format(Locale.ROOT, "bench|variant=%s|base=%s|prompt=%d|generate=%d|repeats=%d|warmup=%d"
                + "|device=%s", variant, spec.base().name(), b.promptLength(), b.generationLength(),
                b.repeats(), b.warmup(), options.device());
    }

    private void benchmark(ModelRef variant, JobContext context) throws Exception {
        String key = benchmarkKey(variant.name());
        boolean done = reuseRows(key, ids -> stores.benchmarkRuns().count("id in ?1", ids));
        if (done) {
            stepsReused++;
            context.progress(1, "benchmarked (reused)", variant.name());
            return;
        }
        StudySpec.BenchmarkSettings b = spec.benchmark();
        BenchmarkWork work = new BenchmarkWork(new BenchmarkJobSpec(List.of(variant, spec.base()),
                List.of(b.promptLength()), List.of(b.generationLength()), b.repeats(), b.warmup()), options,
                stores.benchmarkRuns());
        runStep(work, context, 1, stored -> {
            remember(key, StudyStepEntity.Kind.BENCHMARK, context.jobId(), variant.name(), stored.benchmarkRunIds());
            return null;
        });
    }

    /**
     * Whether a finished step with this key stored rows that all still exist ({@code count} counts the ids found); a
     * step whose rows are gone is forgotten.
     */
    private boolean reuseRows(String key, java.util.function.ToLongFunction<List<Long>> count) {
        return lookup(() -> stores.steps().findByKey(key).map(step -> {
            List<Long> ids = step.resultIdList();
            boolean present = !ids.isEmpty() && count.applyAsLong(ids) == ids.size();
            if (!present) {
                stores.steps().delete(step);
            }
            return present;
        }).orElse(false));
    }

    private void remember(String key, StudyStepEntity.Kind kind, long jobId, String variant, List<Long> ids) {
        StudyStepEntity step = new StudyStepEntity();
        step.stepKey = key;
        step.kind = kind;
        step.jobId = jobId;
        step.variant = variant;
        step.setResultIdList(ids);
        stores.steps().persist(step);
    }

    // ---- analysis -------------------------------------------------------------------------------------------------

    /** Gathers the cells' measurements, fits the laws, stores fits and analysis; inside the job's final transaction. */
    private JobResultData analyse(long jobId, List<CellOutcome> outcomes) {
        Set<String> measured = new LinkedHashSet<>(List.of(spec.base().name()));
        outcomes.forEach(o -> measured.add(o.variant()));
        Map<String, List<EvalResultEntity>> evalRows = evalRows(measured);
        Map<String, List<BenchmarkRunEntity>> benchmarkRuns = benchmarkRuns(outcomes.stream()
                .filter(o -> o.cell().rftTokens() == 0).map(CellOutcome::variant).toList());
        Map<String, Double> baseValues = new LinkedHashMap<>();
        for (EvalResultEntity row : evalRows.get(spec.base().name())) {
            baseValues.put(row.task + "\u0000" + row.metric, row.value);
        }
        List<StudyObservation> observations = new ArrayList<>();
        List<SpeedObservation> speeds = new ArrayList<>();
        Set<String> variants = new LinkedHashSet<>();
        List<Long> evalIds = new ArrayList<>();
        List<Long> benchmarkIds = new ArrayList<>();
        for (CellOutcome o : outcomes) {
            variants.add(o.variant());
            String method = o.cell().method().name().toLowerCase(Locale.ROOT);
            for (EvalResultEntity row : evalRows.get(o.variant())) {
                evalIds.add(row.id);
                Double base = baseValues.get(row.task + "\u0000" + row.metric);
                if (base == null || !(row.metric.equals(StudyAnalysis.INTRINSIC_METRIC) || row.metric.equals("acc")
                        || row.metric.equals("acc_norm"))) {
                    continue;
                }
                observations.add(new StudyObservation(method, o.cell().ratio(), o.cell().seed(), o.cell().rftTokens(),
                        row.task, row.metric, EvalTasks.isIntrinsic(row.task), row.value, row.stderr, base,
                        o.variant()));
            }
            List<BenchmarkRunEntity> runs = o.cell().rftTokens() == 0 ? benchmarkRuns.get(o.variant()) : null;
            if (runs != null) {
                runs.forEach(r -> benchmarkIds.add(r.id));
                BenchmarkRunEntity own = runs.stream().filter(r -> r.variant.equals(o.variant())).findFirst().orElse(null);
                BenchmarkRunEntity base = runs.stream().filter(r -> r.variant.equals(spec.base().name())).findFirst()
                        .orElse(null);
                if (own != null && base != null) {
                    speeds.add(new SpeedObservation(method, o.cell().ratio(), o.cell().seed(), o.variant(),
                            own.speedup, own.idealSpeedup, own.decodeMsPerTokenMedian, own.decodeMsPerTokenSpread,
                            base.decodeMsPerTokenMedian));
                }
            }
        }
        StudyAnalysis analysis = StudyAnalysis.analyze(observations, speeds, spec.extrinsicMetric(),
                spec.intrinsicSigma(), spec.extrinsicSigma());
        List<SettingFit> stored = new ArrayList<>();
        for (SettingFit s : analysis.settings()) {
            if (s.fit() == null) {
                stored.add(s);
                continue;
            }
            List<String> notes = new ArrayList<>();
            notes.add("study '" + spec.name() + "' (job " + jobId + "), setting " + s.label() + ", base "
                    + spec.base().name());
            if (s.heldOutMeanAbsRelativeError() != null) {
                notes.add(String.format(Locale.ROOT, "held-out check: mean |relative error| %.4f over %d ratio(s)",
                        s.heldOutMeanAbsRelativeError(), s.heldOut().size()));
            }
            long id = stores.lawFits().store(spec.name() + ": " + s.label(), s.intrinsic(), s.metric(), s.fit(),
                    s.labels(), null, notes);
            stored.add(s.withLawFitId(id));
        }
        analysis = analysis.withSettings(stored);
        StudyResultEntity result = stores.results().findById(jobId);
        if (result == null) {
            result = new StudyResultEntity();
            result.jobId = jobId;
        }
        result.name = spec.name();
        result.analysisJson = StudyAnalysisJson.encode(analysis);
        stores.results().persist(result);
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "study '%s': %d cells, %d step(s) run, %d reused; %d law fit(s) stored;"
                + " GetStudyReport(job_id = %d) gives the report", spec.name(), outcomes.size(), stepsRun, stepsReused,
                stored.stream().filter(s -> s.lawFitId() != null).count(), jobId));
        for (SettingFit s : stored) {
            if (s.error() != null) {
                notes.add(s.label() + ": no fit: " + s.error());
            }
        }
        List<String> made = new ArrayList<>(variants);
        return new JobResultData(made, evalIds, benchmarkIds, List.of(), notes);
    }

    /**
     * Each variant's evaluation rows of this study's keys (newest step per task, in task order); the rows of all of
     * them are read in one query.
     */
    private Map<String, List<EvalResultEntity>> evalRows(Collection<String> variants) {
        Map<String, List<Long>> ids = new LinkedHashMap<>();
        for (String variant : variants) {
            List<Long> own = new ArrayList<>();
            for (String task : spec.allTasks()) {
                stores.steps().findByKey(evaluationKey(variant, task)).ifPresent(step -> own.addAll(step.resultIdList()));
            }
            ids.put(variant, own);
        }
        return inIdOrder(ids, stores.evalResults().listByIds(ids.values().stream().flatMap(List::stream).toList()),
                row -> row.id);
    }

    /**
     * The benchmark runs (the variant's and the base's) stored by each variant's benchmark step, for the variants
     * that have one; the runs of all of them are read in one query.
     */
    private Map<String, List<BenchmarkRunEntity>> benchmarkRuns(Collection<String> variants) {
        Map<String, List<Long>> ids = new LinkedHashMap<>();
        for (String variant : variants) {
            stores.steps().findByKey(benchmarkKey(variant)).ifPresent(step -> ids.put(variant, step.resultIdList()));
        }
        return inIdOrder(ids, stores.benchmarkRuns().listByIds(ids.values().stream().flatMap(List::stream).toList()),
                run -> run.id);
    }

    /** {@code ids} with each id replaced by its row from {@code rows}; an id without a row is left out. */
    private static <E> Map<String, List<E>> inIdOrder(Map<String, List<Long>> ids, List<E> rows, Function<E, Long> id) {
        Map<Long, E> byId = new HashMap<>();
        rows.forEach(row -> byId.put(id.apply(row), row));
        Map<String, List<E>> out = new LinkedHashMap<>();
        ids.forEach((key, list) -> out.put(key, list.stream().map(byId::get).filter(Objects::nonNull).toList()));
        return out;
    }

    @Override
    public void discard() {
        JobWork w = current;
        if (w != null) {
            w.discard();
        }
    }
}

package dev.claws.jobs;

import dev.claws.eval.Corpus;
import dev.claws.eval.CrossEntropyEvaluator;
import dev.claws.eval.CrossEntropyResult;
import dev.claws.eval.EngineScorer;
import dev.claws.eval.EvalProgress;
import dev.claws.eval.MetricValue;
import dev.claws.eval.MultipleChoiceItem;
import dev.claws.eval.MultipleChoiceScorer;
import dev.claws.eval.MultipleChoiceTask;
import dev.claws.eval.MultipleChoiceTasks;
import dev.claws.eval.TaskResult;
import dev.claws.model.EngineOptions;
import dev.claws.model.LanguageModel;
import dev.claws.store.EvalResultEntity;
import dev.claws.store.EvalResultRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates one variant on intrinsic corpora (cross_entropy in nats per token and perplexity, over non-overlapping
 * windows; samples = scored tokens) and multiple-choice tasks (acc and acc_norm as the harness reports them; samples =
 * documents). Every result row carries the variant's lineage. Perplexity's standard error is the delta-method one,
 * perplexity times the standard error of the cross-entropy.
 */
final class EvaluationWork implements JobWork {

    /** One measured value before it is stored. */
    record Measured(String task, String metric, double value, double stderr, long samples) {
    }

    private final EvaluationJobSpec spec;
    private final Path dataDir;
    private final EngineOptions options;
    private final EvalResultRepository results;

    EvaluationWork(EvaluationJobSpec spec, Path dataDir, EngineOptions options, EvalResultRepository results) {
        this.spec = spec;
        this.dataDir = dataDir;
        this.options = options;
        this.results = results;
    }

    @Override
    public JobOutcome run(JobContext context) throws IOException {
        int n = spec.tasks().size();
        context.progress(0, "loading model", "loading " + spec.variant().name());
        List<Measured> measured = new ArrayList<>();
        try (LanguageModel model = LanguageModel.load(spec.variant().path(), options)) {
            EngineScorer scorer = new EngineScorer(model);
            for (int i = 0; i < n; i++) {
                String task = spec.tasks().get(i);
                int index = i;
                context.progress((double) i / n, "evaluating " + task, "task " + (i + 1) + " of " + n);
                EvalProgress progress = (done, total) -> context.progress((index + (double) done / total) / n,
                        "evaluating " + task, task + ": " + done + " of " + total
                                + (EvalTasks.isIntrinsic(task) ? " windows" : " documents"));
                Path file = dataFile(task);
                if (EvalTasks.isIntrinsic(task)) {
                    measured.addAll(intrinsic(scorer, task, file, progress));
                } else {
                    measured.addAll(extrinsic(scorer, task, file, progress));
                }
            }
        }
        context.progress(1, "storing results", measured.size() + " values");
        return jobId -> store(jobId, measured);
    }

    private Path dataFile(String task) {
        Path file = EvalTasks.dataFile(task, dataDir);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the data file of task '" + task + "' is missing: " + file
                    + " (claws.eval.data-dir = " + dataDir + ")");
        }
        return file;
    }

    private List<Measured> intrinsic(EngineScorer scorer, String task, Path file, EvalProgress progress)
            throws IOException {
        Corpus corpus = Corpus.byId(task).orElseThrow();
        List<String> records = corpus.read(dataDir);
        CrossEntropyResult r = new CrossEntropyEvaluator(scorer, spec.windowLength(), spec.tokenBudget())
                .evaluate(records, progress);
        return List.of(
                new Measured(task, "cross_entropy", r.meanNll(), r.stderr(), r.scoredTokens()),
                new Measured(task, "perplexity", r.perplexity(), r.perplexity() * r.stderr(), r.scoredTokens()));
    }

    private List<Measured> extrinsic(EngineScorer scorer, String task, Path file, EvalProgress progress)
            throws IOException {
        MultipleChoiceTask mc = MultipleChoiceTasks.byName(task).orElseThrow();
        List<MultipleChoiceItem> items = mc.load(file, spec.maxSamplesPerTask());
        if (items.isEmpty()) {
            throw new IllegalStateException("task '" + task + "': " + file + " holds no documents");
        }
        TaskResult r = new MultipleChoiceScorer(scorer).evaluate(mc, items, progress);
        List<Measured> out = new ArrayList<>();
        for (MetricValue m : r.metrics()) {
            out.add(new Measured(task, m.metric().harnessName(), m.value(), m.stderr(), m.samples()));
        }
        return out;
    }

    private JobResultData store(long jobId, List<Measured> measured) {
        ModelRef v = spec.variant();
        List<Long> ids = new ArrayList<>();
        for (Measured m : measured) {
            EvalResultEntity row = new EvalResultEntity();
            row.jobId = jobId;
            row.variant = v.name();
            row.task = m.task();
            row.metric = m.metric();
            row.value = m.value();
            row.stderr = m.stderr();
            row.samples = m.samples();
            row.baseModel = v.baseModel();
            row.method = v.method();
            row.ratio = v.ratio();
            row.rftTokens = v.rftTokens();
            results.persist(row);
            ids.add(row.id);
        }
        return JobResultData.evaluations(ids);
    }
}

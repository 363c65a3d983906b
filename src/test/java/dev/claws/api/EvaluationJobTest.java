package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.EvalResult;
import dev.claws.api.v1.EvaluationLimits;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.SubmitEvaluationRequest;
import dev.claws.api.v1.WatchJobRequest;
import dev.claws.eval.Corpus;
import dev.claws.eval.CrossEntropyEvaluator;
import dev.claws.eval.CrossEntropyResult;
import dev.claws.eval.EngineScorer;
import dev.claws.eval.EvalProgress;
import dev.claws.eval.Metric;
import dev.claws.eval.MultipleChoiceScorer;
import dev.claws.eval.MultipleChoiceTask;
import dev.claws.eval.MultipleChoiceTasks;
import dev.claws.eval.TaskResult;
import dev.claws.jobs.EvalTasks;
import dev.claws.jobs.JobFixtures;
import dev.claws.jobs.JobPaths;
import dev.claws.model.EngineOptions;
import dev.claws.model.LanguageModel;
import dev.claws.store.EvalResultRepository;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.grpc.ManagedChannel;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.claws.api.v1.CompressionMethod;
import dev.claws.store.EvalResultEntity;

/**
 * Evaluation jobs end to end on small data files the test writes into claws.eval.data-dir: the stored rows must equal
 * what the evaluators give when called directly on the same model and files, and carry the variant's lineage.
 */
@QuarkusTest
class EvaluationJobTest {

    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/eval");

    @Inject
    VariantRepository variants;

    @Inject
    EvalResultRepository evalResults;

    @Inject
    JobPaths paths;

    private ManagedChannel channel;
    private JobsGrpc.JobsBlockingStub jobs;

    @BeforeEach
    void connect() throws Exception {
        channel = GrpcTestChannel.open();
        jobs = JobsGrpc.newBlockingStub(channel);
        writeData(paths.evalDataDir());
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    /** WikiText-2 rows of the parity fixture in the joined layout, and two task files in their published layout. */
    static void writeData(Path dir) throws Exception {
        JobFixtures.writeEvalData(dir);
    }

    private Job runToEnd(SubmitEvaluationRequest request) {
        Job submitted = jobs.submitEvaluation(request);
        List<Job> events = new ArrayList<>();
        jobs.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).build())
                .forEachRemaining(e -> events.add(e.getJob()));
        Job last = events.get(events.size() - 1);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getState(), last.getError());
        return last;
    }

    @Test
    void intrinsicEvaluationStoresCrossEntropyAndPerplexityAsTheEvaluatorComputesThem() throws Exception {
        String variant = JobFixtures.store(variants, JobFixtures.unique("tiny-pruned"), "claws-tiny",
                VariantEntity.Method.RANDOM_PRUNE, 0.25, JobFixtures.TINY);
        Job job = runToEnd(SubmitEvaluationRequest.newBuilder().setVariant(variant).addTasks("wikitext2")
                .setLimits(EvaluationLimits.newBuilder().setWindowLength(32).setTokenBudget(160)).build());

        CrossEntropyResult expected;
        try (LanguageModel model = LanguageModel.load(JobFixtures.TINY, EngineOptions.cpu())) {
            expected = new CrossEntropyEvaluator(new EngineScorer(model), 32, 160)
                    .evaluate(Corpus.WIKITEXT2.read(paths.evalDataDir()), EvalProgress.NONE);
        }
        assertEquals(5, expected.windows());
        Map<String, EvalResult> byMetric = job.getResult().getEvaluationsList().stream()
                .collect(Collectors.toMap(EvalResult::getMetric, r -> r));
        assertEquals(2, byMetric.size());
        EvalResult ce = byMetric.get("cross_entropy");
        assertEquals(expected.meanNll(), ce.getValue(), 1e-9);
        assertEquals(expected.stderr(), ce.getStderr(), 1e-9);
        assertEquals(5 * 31, ce.getSamples());
        EvalResult ppl = byMetric.get("perplexity");
        assertEquals(Math.exp(expected.meanNll()), ppl.getValue(), 1e-9);
        assertEquals(ppl.getValue() * expected.stderr(), ppl.getStderr(), 1e-9);
        for (EvalResult r : List.of(ce, ppl)) {
            assertEquals(variant, r.getVariant());
            assertEquals("wikitext2", r.getTask());
            assertEquals("claws-tiny", r.getBaseModel());
            assertEquals(CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE, r.getMethod());
            assertEquals(0.25, r.getRatio());
        }
        List<EvalResultEntity> rows = QuarkusTransaction.requiringNew()
                .call(() -> evalResults.listByJob(job.getId()));
        assertEquals(2, rows.size());
        assertEquals(ce.getValue(), rows.stream().filter(r -> r.metric.equals("cross_entropy")).findFirst()
                .orElseThrow().value);
    }

    @Test
    void extrinsicEvaluationStoresAccAndAccNormPerTaskWithinTheSampleLimit() throws Exception {
        String base = JobFixtures.storeBase(variants);
        Job job = runToEnd(SubmitEvaluationRequest.newBuilder().setVariant(base).addTasks("piqa").addTasks("arc_easy")
                .setLimits(EvaluationLimits.newBuilder().setMaxSamplesPerTask(3)).build());

        List<EvalResult> stored = job.getResult().getEvaluationsList();
        assertEquals(4, stored.size(), "acc and acc_norm for each task");
        try (LanguageModel model = LanguageModel.load(JobFixtures.TINY, EngineOptions.cpu())) {
            MultipleChoiceScorer scorer = new MultipleChoiceScorer(new EngineScorer(model));
            for (String name : List.of("piqa", "arc_easy")) {
                MultipleChoiceTask task = MultipleChoiceTasks.byName(name).orElseThrow();
                TaskResult expected = scorer.evaluate(task,
                        task.load(EvalTasks.dataFile(name, paths.evalDataDir()), 3), EvalProgress.NONE);
                for (Metric metric : List.of(Metric.ACC, Metric.ACC_NORM)) {
                    EvalResult row = stored.stream().filter(r -> r.getTask().equals(name)
                            && r.getMetric().equals(metric.harnessName())).findFirst().orElseThrow();
                    assertEquals(expected.metric(metric).orElseThrow().value(), row.getValue(), 0.0);
                    assertEquals(expected.metric(metric).orElseThrow().stderr(), row.getStderr(), 0.0);
                    assertEquals(3, row.getSamples());
                    assertEquals(base, row.getBaseModel(), "a base model is its own base");
                    assertEquals(CompressionMethod.COMPRESSION_METHOD_NONE, row.getMethod());
                    assertTrue(row.getValue() >= 0 && row.getValue() <= 1);
                }
            }
        }
    }

    @Test
    void aJobThatCannotFinishFailsWithItsReasonAndStoresNothing() throws Exception {
        String base = JobFixtures.storeBase(variants);
        // piqa is fine, the arc_challenge file is broken at its second record: nothing of the job may be kept
        Path broken = EvalTasks.dataFile("arc_challenge", paths.evalDataDir());
        Files.writeString(broken, Files.readAllLines(FIXTURES.resolve("tasks/arc_challenge.jsonl")).get(0)
                + "\n{\"id\": \"cut\", \"question\": \n", StandardCharsets.UTF_8);
        Job submitted = jobs.submitEvaluation(SubmitEvaluationRequest.newBuilder().setVariant(base).addTasks("piqa")
                .addTasks("arc_challenge").build());
        List<Job> events = new ArrayList<>();
        jobs.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).build())
                .forEachRemaining(e -> events.add(e.getJob()));
        Job last = events.get(events.size() - 1);
        assertEquals(JobState.JOB_STATE_FAILED, last.getState());
        assertTrue(last.getError().contains("arc_challenge.jsonl line 2: not valid JSON"), last.getError());
        assertTrue(last.hasFinished());
        assertTrue(events.stream().anyMatch(e -> e.getStage().equals("evaluating piqa")), "piqa ran first");
        assertEquals(0, QuarkusTransaction.requiringNew().call(() -> evalResults.listByJob(submitted.getId()).size()));
    }
}

package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.BenchmarkResult;
import dev.claws.api.v1.CancelJobRequest;
import dev.claws.api.v1.GetJobRequest;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobEvent;
import dev.claws.api.v1.JobKind;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.ListJobsRequest;
import dev.claws.api.v1.SubmitBenchmarkRequest;
import dev.claws.api.v1.SubmitEvaluationRequest;
import dev.claws.api.v1.SubmitRecoveryRequest;
import dev.claws.api.v1.EvaluationLimits;
import dev.claws.api.v1.WatchJobRequest;
import dev.claws.jobs.JobFixtures;
import dev.claws.jobs.JobRunner;
import dev.claws.model.ModelConfig;
import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.VariantRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Submitting, watching, listing and cancelling jobs over gRPC, with benchmark jobs on the bundled tiny model. */
@QuarkusTest
class JobsServiceTest {

    @Inject
    VariantRepository variants;

    @Inject
    BenchmarkRunRepository benchmarkRuns;

    @Inject
    JobRunner runner;

    private ManagedChannel channel;
    private JobsGrpc.JobsBlockingStub jobs;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
        jobs = JobsGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    @Test
    void benchmarkIsSubmittedWatchedToTheEndAndListed() throws Exception {
        String base = JobFixtures.storeBase(variants);
        String half = JobFixtures.storeHalfFfnVariant(variants, base);
        Job submitted = jobs.submitBenchmark(SubmitBenchmarkRequest.newBuilder()
                .addVariants(half).addPromptLengths(8).addPromptLengths(16).addGenerationLengths(4)
                .setRepeats(3).setWarmup(1).build());
        assertTrue(submitted.getId() > 0);
        assertEquals(JobKind.JOB_KIND_BENCHMARK, submitted.getKind());
        assertEquals(JobState.JOB_STATE_QUEUED, submitted.getState());
        assertEquals(List.of(half), submitted.getBenchmark().getVariantsList());

        List<JobEvent> events = new ArrayList<>();
        Iterator<JobEvent> stream = jobs.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).build());
        stream.forEachRemaining(events::add); // completes when the job reaches a final state
        Job last = events.get(events.size() - 1).getJob();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getState(), last.getError());
        assertEquals(1.0, last.getProgress());
        assertTrue(events.stream().anyMatch(e -> e.getJob().getState() == JobState.JOB_STATE_RUNNING
                && e.getJob().getStage().equals("measuring")), "progress events were streamed");
        double previous = -1;
        for (JobEvent e : events) {
            assertTrue(e.getJob().getProgress() >= previous, "progress never goes back");
            previous = e.getJob().getProgress();
        }

        // the variant and its base, each at both pairs; the base is measured and has speedup 1
        List<BenchmarkResult> results = last.getResult().getBenchmarksList();
        assertEquals(4, results.size());
        Map<String, List<BenchmarkResult>> byVariant = results.stream()
                .collect(Collectors.groupingBy(BenchmarkResult::getVariant));
        assertEquals(2, byVariant.get(base).size());
        double idealHalf = (double) ModelConfig.load(JobFixtures.TINY).parameterCount()
                / ModelConfig.load(java.nio.file.Path.of(variants(half))).parameterCount();
        assertTrue(idealHalf > 1.2, "half the FFN is a real reduction: " + idealHalf);
        for (BenchmarkResult r : results) {
            assertEquals(base, r.getBase());
            assertEquals(3, r.getRepeats());
            assertEquals(4, r.getGenerationLength());
            assertTrue(r.getPrefillMsMedian() > 0 && r.getDecodeMsPerTokenMedian() > 0, r.toString());
            assertTrue(r.getPrefillMsSpread() >= 0 && r.getDecodeMsPerTokenSpread() >= 0);
            assertEquals(1000 / r.getDecodeMsPerTokenMedian(), r.getTokensPerSecond(), 1e-9);
            if (r.getVariant().equals(base)) {
                assertEquals(1.0, r.getSpeedup());
                assertEquals(1.0, r.getIdealSpeedup());
            } else {
                BenchmarkResult baseRow = byVariant.get(base).stream()
                        .filter(b -> b.getPromptLength() == r.getPromptLength()).findFirst().orElseThrow();
                assertEquals(baseRow.getDecodeMsPerTokenMedian() / r.getDecodeMsPerTokenMedian(), r.getSpeedup(), 1e-9);
                assertEquals(idealHalf, r.getIdealSpeedup(), 1e-12);
            }
        }
        long stored = QuarkusTransaction.requiringNew().call(() -> (long) benchmarkRuns.listByJob(submitted.getId())
                .size());
        assertEquals(4, stored);

        Job fetched = jobs.getJob(GetJobRequest.newBuilder().setId(submitted.getId()).build());
        assertEquals(last.getResult(), fetched.getResult());
        assertTrue(fetched.hasStarted() && fetched.hasFinished());
        assertTrue(jobs.listJobs(ListJobsRequest.newBuilder().addKinds(JobKind.JOB_KIND_BENCHMARK)
                        .addStates(JobState.JOB_STATE_SUCCEEDED).build()).getJobsList().stream()
                .anyMatch(j -> j.getId() == submitted.getId()));

        // watching a finished job gives one event and completes
        List<JobEvent> again = new ArrayList<>();
        jobs.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).build()).forEachRemaining(again::add);
        assertEquals(1, again.size());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, again.get(0).getJob().getState());
    }

    private String variants(String name) {
        return QuarkusTransaction.requiringNew().call(() -> variants.findByName(name).orElseThrow().path);
    }

    @Test
    void badSubmissionsAreRejectedBeforeQueueing() {
        String base = JobFixtures.storeBase(variants);
        long before = jobs.listJobs(ListJobsRequest.newBuilder().setLimit(1000).build()).getJobsCount();
        Function<SubmitBenchmarkRequest.Builder, Status> bench = b -> assertThrows(StatusRuntimeException.class,
                () -> jobs.submitBenchmark(b.build())).getStatus();
        Function<SubmitEvaluationRequest.Builder, Status> eval = b -> assertThrows(StatusRuntimeException.class,
                () -> jobs.submitEvaluation(b.build())).getStatus();

        Status s = bench.apply(SubmitBenchmarkRequest.newBuilder());
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().startsWith("variants must name 1 to 32"), s.getDescription());
        s = bench.apply(SubmitBenchmarkRequest.newBuilder().addVariants("no-such-variant"));
        assertEquals(Status.Code.NOT_FOUND, s.getCode());
        assertTrue(s.getDescription().contains("'no-such-variant'"));
        s = bench.apply(SubmitBenchmarkRequest.newBuilder().addVariants(base).addGenerationLengths(1));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().startsWith("generation_lengths[0] must be between 2 and 4096"), s.getDescription());
        s = bench.apply(SubmitBenchmarkRequest.newBuilder().addVariants(base).addPromptLengths(2000)
                .addGenerationLengths(100));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().contains("more than the context length 2048"), s.getDescription());
        s = bench.apply(SubmitBenchmarkRequest.newBuilder().addVariants(base).setRepeats(101));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().startsWith("repeats must be between 1 and 100"));
        s = bench.apply(SubmitBenchmarkRequest.newBuilder().addVariants(base).addVariants(base));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());

        s = eval.apply(SubmitEvaluationRequest.newBuilder().setVariant(base).addTasks("mmlu"));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().contains("tasks[0] 'mmlu' is not one of [wikitext2, ptb, alpaca, piqa,"
                + " hellaswag, winogrande, arc_easy, arc_challenge, boolq]"), s.getDescription());
        s = eval.apply(SubmitEvaluationRequest.newBuilder().setVariant(base));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        s = eval.apply(SubmitEvaluationRequest.newBuilder().setVariant("missing-one").addTasks("piqa"));
        assertEquals(Status.Code.NOT_FOUND, s.getCode());
        s = eval.apply(SubmitEvaluationRequest.newBuilder().setVariant(base).addTasks("wikitext2")
                .setLimits(EvaluationLimits.newBuilder().setWindowLength(8)));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().startsWith("limits.window_length must be between 16 and the context length 2048"));
        s = eval.apply(SubmitEvaluationRequest.newBuilder().setVariant(base).addTasks("wikitext2")
                .setLimits(EvaluationLimits.newBuilder().setWindowLength(64).setTokenBudget(10)));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        // the test data directory holds no PTB file
        s = eval.apply(SubmitEvaluationRequest.newBuilder().setVariant(base).addTasks("ptb"));
        assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
        assertTrue(s.getDescription().contains("ptb/ptb.test.txt"), s.getDescription());

        StatusRuntimeException recovery = assertThrows(StatusRuntimeException.class, () -> jobs.submitRecovery(
                SubmitRecoveryRequest.newBuilder().setVariant(base).setTokenBudget(10).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, recovery.getStatus().getCode());
        assertTrue(recovery.getStatus().getDescription().startsWith("token_budget must be in [1024"),
                recovery.getStatus().getDescription());

        for (Status.Code code : List.of(
                assertThrows(StatusRuntimeException.class, () -> jobs.getJob(GetJobRequest.newBuilder().setId(987654321)
                        .build())).getStatus().getCode(),
                assertThrows(StatusRuntimeException.class, () -> jobs.cancelJob(CancelJobRequest.newBuilder()
                        .setId(987654321).build())).getStatus().getCode(),
                assertThrows(StatusRuntimeException.class, () -> jobs.watchJob(WatchJobRequest.newBuilder()
                        .setId(987654321).build()).hasNext()).getStatus().getCode())) {
            assertEquals(Status.Code.NOT_FOUND, code);
        }
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class,
                () -> jobs.cancelJob(CancelJobRequest.getDefaultInstance())).getStatus().getCode());
        assertEquals(before, jobs.listJobs(ListJobsRequest.newBuilder().setLimit(1000).build()).getJobsCount(),
                "nothing was queued");
    }

    @Test
    void cancellingQueuedAndRunningJobsStopsThemAndKeepsNoOutput() throws Exception {
        String base = JobFixtures.storeBase(variants);
        SubmitBenchmarkRequest longRun = SubmitBenchmarkRequest.newBuilder().addVariants(base)
                .addPromptLengths(8).addGenerationLengths(1500).setRepeats(100).build();
        Job running = jobs.submitBenchmark(longRun);
        Job queued = jobs.submitBenchmark(longRun);

        // one job at a time: the second waits, and cancelling it ends it at once
        Job cancelledQueued = jobs.cancelJob(CancelJobRequest.newBuilder().setId(queued.getId()).build());
        assertEquals(JobState.JOB_STATE_CANCELLED, cancelledQueued.getState());
        assertFalse(cancelledQueued.hasStarted());

        JobFixtures.awaitStage(runner, running.getId(), "measuring", 60_000);
        long t0 = System.nanoTime();
        Job cancelledRunning = jobs.cancelJob(CancelJobRequest.newBuilder().setId(running.getId()).build());
        double cancelMs = (System.nanoTime() - t0) / 1e6;
        assertEquals(JobState.JOB_STATE_CANCELLED, cancelledRunning.getState());
        assertTrue(cancelledRunning.hasStarted() && cancelledRunning.hasFinished());
        assertTrue(cancelMs < 5000, "stopped promptly: " + cancelMs + " ms");
        assertEquals(0, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByJob(running.getId()).size()));
        assertFalse(cancelledRunning.hasResult());

        // cancelling a finished job returns it unchanged
        Job again = jobs.cancelJob(CancelJobRequest.newBuilder().setId(running.getId()).build());
        assertEquals(cancelledRunning, again);
        assertEquals(JobState.JOB_STATE_CANCELLED,
                jobs.getJob(GetJobRequest.newBuilder().setId(queued.getId()).build()).getState());
    }
}

package dev.claws.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.Job;
import dev.claws.store.JobRepository;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the start-up sweep does with rows a stopped server left behind. The rows are written as a stopped server
 * leaves them, then {@link JobRunner#recover()} (the start-up step) runs.
 */
@QuarkusTest
class JobRunnerRecoveryTest {

    @Inject
    JobRunner runner;

    @Inject
    JobRepository jobs;

    @Inject
    VariantRepository variants;

    @Inject
    BenchmarkRunRepository benchmarkRuns;

    @Inject
    JobPaths paths;

    /** A row as a stopped server leaves it; {@code spec} null stores a row of a version before specs were stored. */
    private long storeRow(Job.Kind kind, Job.State state, JobSpec spec) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Job row = new Job();
            row.kind = kind;
            row.state = state;
            row.stage = state == Job.State.RUNNING ? "measuring" : "queued";
            row.requestJson = "{}";
            row.specJson = spec == null ? null : JobJson.spec(spec);
            jobs.persist(row);
            return row.id;
        });
    }

    private Job stored(long id) {
        return QuarkusTransaction.requiringNew().call(() -> jobs.findById(id));
    }

    private BenchmarkSpec benchmark(String variant) {
        ModelRef model = QuarkusTransaction.requiringNew().call(() -> ModelRef.of(variants.findByName(variant)
                .orElseThrow()));
        return new BenchmarkSpec(List.of(model), List.of(4), List.of(3), 2, 0);
    }

    @Test
    void aJobLeftRunningIsMarkedInterruptedAndItsPartialOutputRemoved() throws Exception {
        long id = storeRow(Job.Kind.COMPRESSION, Job.State.RUNNING, null);
        Path partial = paths.partialDir(id);
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("model.safetensors"), "half-written");

        JobRunner.Recovery recovery = runner.recover();

        assertTrue(recovery.interrupted() >= 1);
        Job row = stored(id);
        assertEquals(Job.State.INTERRUPTED, row.state);
        assertTrue(row.error.startsWith("the server stopped while the job was running"), row.error);
        assertTrue(row.finished != null);
        assertFalse(Files.exists(partial), "partial output removed");
    }

    @Test
    void aJobLeftQueuedIsQueuedAgainAndRuns() throws Exception {
        String base = JobFixtures.storeBase(variants);
        long id = storeRow(Job.Kind.BENCHMARK, Job.State.QUEUED, benchmark(base));

        JobRunner.Recovery recovery = runner.recover();
        assertTrue(recovery.requeued() >= 1);

        Job done = JobFixtures.awaitFinal(runner, id, 60_000);
        assertEquals(Job.State.SUCCEEDED, done.state, done.error);
        List<Long> runs = JobJson.result(done.resultJson).benchmarkRunIds();
        assertEquals(1, runs.size(), done.resultJson);
        assertEquals(base, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.findById(runs.get(0)).variant));
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByJob(id).size()));
        assertEquals(Job.State.SUCCEEDED, stored(id).state);
    }

    @Test
    void aQueuedJobWhoseVariantWasDeletedFailsWithTheReason() throws Exception {
        String gone = "deleted-since-" + System.nanoTime();
        BenchmarkSpec spec = new BenchmarkSpec(List.of(new ModelRef(gone, JobFixtures.TINY, gone,
                dev.claws.store.Variant.Method.NONE, 0, 0)), List.of(4), List.of(3), 2, 0);
        long id = storeRow(Job.Kind.BENCHMARK, Job.State.QUEUED, spec);

        runner.recover();

        Job done = JobFixtures.awaitFinal(runner, id, 60_000);
        assertEquals(Job.State.FAILED, done.state);
        assertTrue(done.error.contains("variant '" + gone + "' does not exist any more"), done.error);
        assertEquals(Job.State.FAILED, stored(id).state);
    }

    @Test
    void aQueuedRowWithoutSpecFromAnOlderVersionFailsAskingToSubmitAgain() throws Exception {
        long id = storeRow(Job.Kind.BENCHMARK, Job.State.QUEUED, null);

        runner.recover();

        Job done = JobFixtures.awaitFinal(runner, id, 60_000);
        assertEquals(Job.State.FAILED, done.state);
        assertTrue(done.error.contains("queued by an older claws version"), done.error);
    }

    @Test
    void aSpecReadsBackAsItWasStored() {
        String base = JobFixtures.storeBase(variants);
        BenchmarkSpec spec = benchmark(base);
        assertEquals(spec, JobJson.spec(JobJson.spec(spec)));
    }

    @Test
    void recoveringTwiceChangesNothingForJobsThisServerRuns() throws Exception {
        String base = JobFixtures.storeBase(variants);
        Job submitted = runner.submit(benchmark(base), "{}");
        runner.recover(); // the live job is neither interrupted nor queued a second time
        Job done = JobFixtures.awaitFinal(runner, submitted.id, 60_000);
        assertEquals(Job.State.SUCCEEDED, done.state, done.error);
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByJob(submitted.id).size()),
                "ran exactly once");
    }
}

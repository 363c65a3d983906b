package dev.claws.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.JobEntity;
import dev.claws.store.JobRepository;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.claws.store.VariantEntity;

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
    private long storeRow(JobEntity.Kind kind, JobEntity.State state, JobSpec spec) {
        return QuarkusTransaction.requiringNew().call(() -> {
            JobEntity row = new JobEntity();
            row.kind = kind;
            row.state = state;
            row.stage = state == JobEntity.State.RUNNING ? "measuring" : "queued";
            row.requestJson = "{}";
            row.specJson = spec == null ? null : JobJson.spec(spec);
            jobs.persist(row);
            return row.id;
        });
    }

    private JobEntity stored(long id) {
        return QuarkusTransaction.requiringNew().call(() -> jobs.findById(id));
    }

    private BenchmarkJobSpec benchmark(String variant) {
        ModelRef model = QuarkusTransaction.requiringNew().call(() -> ModelRef.of(variants.findByName(variant)
                .orElseThrow()));
        return new BenchmarkJobSpec(List.of(model), List.of(4), List.of(3), 2, 0);
    }

    @Test
    void aJobLeftRunningIsMarkedInterruptedAndItsPartialOutputRemoved() throws Exception {
        long id = storeRow(JobEntity.Kind.COMPRESSION, JobEntity.State.RUNNING, null);
        Path partial = paths.partialDir(id);
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("model.safetensors"), "half-written");

        JobRunner.Recovery recovery = runner.recover();

        assertTrue(recovery.interrupted() >= 1);
        JobEntity row = stored(id);
        assertEquals(JobEntity.State.INTERRUPTED, row.state);
        assertTrue(row.error.startsWith("the server stopped while the job was running"), row.error);
        assertTrue(row.finished != null);
        assertFalse(Files.exists(partial), "partial output removed");
    }

    @Test
    void aJobLeftQueuedIsQueuedAgainAndRuns() throws Exception {
        String base = JobFixtures.storeBase(variants);
        long id = storeRow(JobEntity.Kind.BENCHMARK, JobEntity.State.QUEUED, benchmark(base));

        JobRunner.Recovery recovery = runner.recover();
        assertTrue(recovery.requeued() >= 1);

        JobEntity done = JobFixtures.awaitFinal(runner, id, 60_000);
        assertEquals(JobEntity.State.SUCCEEDED, done.state, done.error);
        List<Long> runs = JobJson.result(done.resultJson).benchmarkRunIds();
        assertEquals(1, runs.size(), done.resultJson);
        assertEquals(base, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.findById(runs.get(0)).variant));
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByJob(id).size()));
        assertEquals(JobEntity.State.SUCCEEDED, stored(id).state);
    }

    @Test
    void aQueuedJobWhoseVariantWasDeletedFailsWithTheReason() throws Exception {
        String gone = "deleted-since-" + System.nanoTime();
        BenchmarkJobSpec spec = new BenchmarkJobSpec(List.of(new ModelRef(gone, JobFixtures.TINY, gone,
                VariantEntity.Method.NONE, 0, 0)), List.of(4), List.of(3), 2, 0);
        long id = storeRow(JobEntity.Kind.BENCHMARK, JobEntity.State.QUEUED, spec);

        runner.recover();

        JobEntity done = JobFixtures.awaitFinal(runner, id, 60_000);
        assertEquals(JobEntity.State.FAILED, done.state);
        assertTrue(done.error.contains("variant '" + gone + "' does not exist any more"), done.error);
        assertEquals(JobEntity.State.FAILED, stored(id).state);
    }

    @Test
    void aQueuedRowWithoutSpecFromAnOlderVersionFailsAskingToSubmitAgain() throws Exception {
        long id = storeRow(JobEntity.Kind.BENCHMARK, JobEntity.State.QUEUED, null);

        runner.recover();

        JobEntity done = JobFixtures.awaitFinal(runner, id, 60_000);
        assertEquals(JobEntity.State.FAILED, done.state);
        assertTrue(done.error.contains("queued by an older claws version"), done.error);
    }

    @Test
    void aSpecReadsBackAsItWasStored() {
        String base = JobFixtures.storeBase(variants);
        BenchmarkJobSpec spec = benchmark(base);
        assertEquals(spec, JobJson.spec(JobJson.spec(spec)));
    }

    @Test
    void recoveringTwiceChangesNothingForJobsThisServerRuns() throws Exception {
        String base = JobFixtures.storeBase(variants);
        JobEntity submitted = runner.submit(benchmark(base), "{}");
        runner.recover(); // the live job is neither interrupted nor queued a second time
        JobEntity done = JobFixtures.awaitFinal(runner, submitted.id, 60_000);
        assertEquals(JobEntity.State.SUCCEEDED, done.state, done.error);
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByJob(submitted.id).size()),
                "ran exactly once");
    }
}

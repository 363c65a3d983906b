package dev.claws.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.StoreMapping;
import dev.claws.api.v1.SubmitBenchmarkRequest;
import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.Job;
import dev.claws.store.JobRepository;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private long storeRow(Job.Kind kind, Job.State state, String requestJson) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Job row = new Job();
            row.kind = kind;
            row.state = state;
            row.stage = state == Job.State.RUNNING ? "measuring" : "queued";
            row.requestJson = requestJson;
            jobs.persist(row);
            return row.id;
        });
    }

    private Job stored(long id) {
        return QuarkusTransaction.requiringNew().call(() -> jobs.findById(id));
    }

    private static String benchmark(String variant) {
        return StoreMapping.toJson(SubmitBenchmarkRequest.newBuilder().addVariants(variant).addPromptLengths(4)
                .addGenerationLengths(3).setRepeats(2).build());
    }

    @Test
    void aJobLeftRunningIsMarkedInterruptedAndItsPartialOutputRemoved() throws Exception {
        long id = storeRow(Job.Kind.COMPRESSION, Job.State.RUNNING, "{}");
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
        assertTrue(done.resultJson.contains("\"variant\":\"" + base + "\""), done.resultJson);
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByJob(id).size()));
        assertEquals(Job.State.SUCCEEDED, stored(id).state);
    }

    @Test
    void aQueuedJobWhoseVariantWasDeletedFailsWithTheReason() throws Exception {
        long id = storeRow(Job.Kind.BENCHMARK, Job.State.QUEUED, benchmark("deleted-since-" + System.nanoTime()));

        runner.recover();

        Job done = JobFixtures.awaitFinal(runner, id, 60_000);
        assertEquals(Job.State.FAILED, done.state);
        assertTrue(done.error.contains("variants[0]: variant 'deleted-since-"), done.error);
        assertEquals(Job.State.FAILED, stored(id).state);
    }

    @Test
    void recoveringTwiceChangesNothingForJobsThisServerRuns() throws Exception {
        String base = JobFixtures.storeBase(variants);
        Job submitted = runner.submit(Job.Kind.BENCHMARK, benchmark(base));
        runner.recover(); // the live job is neither interrupted nor queued a second time
        Job done = JobFixtures.awaitFinal(runner, submitted.id, 60_000);
        assertEquals(Job.State.SUCCEEDED, done.state, done.error);
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByJob(submitted.id).size()),
                "ran exactly once");
    }
}

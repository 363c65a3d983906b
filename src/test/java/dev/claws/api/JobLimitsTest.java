package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CancelJobRequest;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.SubmitBenchmarkRequest;
import dev.claws.jobs.JobFixtures;
import dev.claws.jobs.JobRunner;
import dev.claws.store.VariantRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With claws.jobs.max-queued = 1, a submission beyond one waiting job is RESOURCE_EXHAUSTED. */
@QuarkusTest
@TestProfile(JobLimitsProfile.class)
class JobLimitsTest {

    @Inject
    VariantRepository variants;

    @Inject
    JobRunner runner;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    @Test
    void aFullQueueRefusesFurtherJobsUntilOneLeavesIt() throws Exception {
        JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(channel);
        String base = JobFixtures.storeBase(variants);
        SubmitBenchmarkRequest longRun = SubmitBenchmarkRequest.newBuilder().addVariants(base).addPromptLengths(8)
                .addGenerationLengths(1500).setRepeats(100).build();
        Job running = jobs.submitBenchmark(longRun);
        JobFixtures.awaitStage(runner, running.getId(), "measuring", 60_000);
        Job waiting = jobs.submitBenchmark(longRun);
        assertEquals(JobState.JOB_STATE_QUEUED, waiting.getState());

        StatusRuntimeException full = assertThrows(StatusRuntimeException.class, () -> jobs.submitBenchmark(longRun));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
        assertTrue(full.getStatus().getDescription().contains("claws.jobs.max-queued = 1"),
                full.getStatus().getDescription());

        assertEquals(JobState.JOB_STATE_CANCELLED,
                jobs.cancelJob(CancelJobRequest.newBuilder().setId(waiting.getId()).build()).getState());
        Job accepted = jobs.submitBenchmark(longRun);
        assertEquals(JobState.JOB_STATE_QUEUED, accepted.getState());
        for (Job job : new Job[] {accepted, running}) {
            assertEquals(JobState.JOB_STATE_CANCELLED,
                    jobs.cancelJob(CancelJobRequest.newBuilder().setId(job.getId()).build()).getState());
        }
    }
}

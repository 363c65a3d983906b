package dev.claws.api;

import dev.claws.api.v1.CancelJobRequest;
import dev.claws.api.v1.GetJobRequest;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobEvent;
import dev.claws.api.v1.JobKind;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.ListJobsRequest;
import dev.claws.api.v1.ListJobsResponse;
import dev.claws.api.v1.SubmitBenchmarkRequest;
import dev.claws.api.v1.SubmitCompressionRequest;
import dev.claws.api.v1.SubmitEvaluationRequest;
import dev.claws.api.v1.SubmitRecoveryRequest;
import dev.claws.api.v1.WatchJobRequest;
import dev.claws.store.JobRepository;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** The Jobs service. Reading stored jobs works now; submitting, watching and cancelling arrive with the job runner. */
@GrpcService
public class JobsService extends JobsGrpc.JobsImplBase {

    private static final String RUNNER = "the job runner lands with the compression and benchmark jobs work";

    @Inject
    JobRepository jobs;

    @Override
    public void submitCompression(SubmitCompressionRequest request, StreamObserver<Job> observer) {
        Unimplemented.answer(observer, "SubmitCompression", RUNNER);
    }

    @Override
    public void submitRecovery(SubmitRecoveryRequest request, StreamObserver<Job> observer) {
        Unimplemented.answer(observer, "SubmitRecovery", "recovery fine-tuning lands with the LoRA training work");
    }

    @Override
    public void submitEvaluation(SubmitEvaluationRequest request, StreamObserver<Job> observer) {
        Unimplemented.answer(observer, "SubmitEvaluation", "evaluation jobs land with the evaluation work");
    }

    @Override
    public void submitBenchmark(SubmitBenchmarkRequest request, StreamObserver<Job> observer) {
        Unimplemented.answer(observer, "SubmitBenchmark", RUNNER);
    }

    @Override
    @Blocking
    public void getJob(GetJobRequest request, StreamObserver<Job> observer) {
        Rpc.unary(observer, () -> {
            long id = Validation.positiveId("id", request.getId());
            return QuarkusTransaction.requiringNew().call(() -> jobs.findByIdOptional(id)
                    .map(StoreMapping::job)
                    .orElseThrow(() -> Rpc.notFound("job " + id + " does not exist")));
        });
    }

    @Override
    @Blocking
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> observer) {
        Rpc.unary(observer, () -> {
            List<dev.claws.store.Job.State> states = new ArrayList<>();
            for (int i = 0; i < request.getStatesCount(); i++) {
                JobState state = request.getStates(i);
                dev.claws.store.Job.State stored = StoreMapping.state(state);
                if (stored == null) {
                    throw Rpc.invalid("states[" + i + "] must be one of JOB_STATE_QUEUED .. JOB_STATE_INTERRUPTED, got "
                            + request.getStatesValue(i));
                }
                states.add(stored);
            }
            List<dev.claws.store.Job.Kind> kinds = new ArrayList<>();
            for (int i = 0; i < request.getKindsCount(); i++) {
                JobKind kind = request.getKinds(i);
                dev.claws.store.Job.Kind stored = StoreMapping.kind(kind);
                if (stored == null) {
                    throw Rpc.invalid("kinds[" + i + "] must be one of JOB_KIND_COMPRESSION .. JOB_KIND_BENCHMARK, got "
                            + request.getKindsValue(i));
                }
                kinds.add(stored);
            }
            int limit = Validation.listLimit("limit", request.getLimit());
            return QuarkusTransaction.requiringNew().call(() -> ListJobsResponse.newBuilder()
                    .addAllJobs(jobs.listFiltered(states, kinds, limit).stream().map(StoreMapping::job).toList())
                    .build());
        });
    }

    @Override
    public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> observer) {
        Unimplemented.answer(observer, "WatchJob", RUNNER);
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> observer) {
        Unimplemented.answer(observer, "CancelJob", RUNNER);
    }
}

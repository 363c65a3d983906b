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
import dev.claws.api.v1.SubmitStudyRequest;
import dev.claws.api.v1.GetStudyReportRequest;
import dev.claws.api.v1.StudyReport;
import dev.claws.api.v1.WatchJobRequest;
import dev.claws.store.JobRepository;
import dev.claws.store.VariantRepository;
import dev.claws.jobs.JobListener;
import dev.claws.jobs.JobRunner;
import dev.claws.jobs.JobSpec;
import dev.claws.jobs.JobWorks;
import com.google.protobuf.Message;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import dev.claws.store.JobEntity;

/**
 * The Jobs service: validates each submission once into a {@link JobSpec}, hands it to the job runner (dev.claws.jobs), and maps
 * job rows and live progress to API messages.
 */
@GrpcService
public class JobsService extends JobsGrpc.JobsImplBase {

    @Inject
    JobRepository jobs;

    @Inject
    VariantRepository variants;

    @Inject
    JobRunner runner;

    @Inject
    JobWorks works;

    @Inject
    JobMessages messages;

    @Inject
    StudyReports reports;

    @Override
    public ServerServiceDefinition bindService() {
        return MalformedRequests.guard(super.bindService());
    }

    @Override
    @Blocking
    public void submitCompression(SubmitCompressionRequest request, StreamObserver<Job> observer) {
        Rpc.unary(observer, () -> {
            SubmitCompressionRequest named = JobValidation.withName(request);
            return submit(named, QuarkusTransaction.requiringNew().call(() ->
                    JobValidation.compression(named, variants, works.paths())));
        });
    }

    @Override
    @Blocking
    public void submitRecovery(SubmitRecoveryRequest request, StreamObserver<Job> observer) {
        Rpc.unary(observer, () -> {
            SubmitRecoveryRequest named = JobValidation.withName(request);
            return submit(named, QuarkusTransaction.requiringNew().call(() ->
                    JobValidation.recovery(named, variants, works.paths())));
        });
    }

    @Override
    @Blocking
    public void submitEvaluation(SubmitEvaluationRequest request, StreamObserver<Job> observer) {
        Rpc.unary(observer, () -> submit(request, QuarkusTransaction.requiringNew().call(() ->
                JobValidation.evaluation(request, variants, works.paths().evalDataDir()))));
    }

    @Override
    @Blocking
    public void submitBenchmark(SubmitBenchmarkRequest request, StreamObserver<Job> observer) {
        Rpc.unary(observer, () -> submit(request, QuarkusTransaction.requiringNew().call(() ->
                JobValidation.benchmark(request, variants))));
    }

    @Override
    @Blocking
    public void submitStudy(SubmitStudyRequest request, StreamObserver<Job> observer) {
        Rpc.unary(observer, () -> submit(request, QuarkusTransaction.requiringNew().call(() ->
                StudyValidation.study(request, variants, works.paths()))));
    }

    @Override
    @Blocking
    public void getStudyReport(GetStudyReportRequest request, StreamObserver<StudyReport> observer) {
        Rpc.unary(observer, () -> reports.report(request));
    }

    /** Queues the validated spec; the request (with defaults filled in) is stored beside it for display. */
    private Job submit(Message request, JobSpec spec) {
        return messages.job(runner.submit(spec, StoreMapping.toJson(request)));
    }

    @Override
    @Blocking
    public void getJob(GetJobRequest request, StreamObserver<Job> observer) {
        Rpc.unary(observer, () -> {
            long id = Validation.positiveId("id", request.getId());
            return runner.find(id).map(messages::job)
                    .orElseThrow(() -> ErrorStatus.notFound("job " + id + " does not exist"));
        });
    }

    @Override
    @Blocking
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> observer) {
        Rpc.unary(observer, () -> {
            List<JobEntity.State> states = new ArrayList<>();
            for (int i = 0; i < request.getStatesCount(); i++) {
                JobState state = request.getStates(i);
                JobEntity.State stored = StoreMapping.state(state);
                if (stored == null) {
                    throw ErrorStatus.invalid("states[" + i + "] must be one of JOB_STATE_QUEUED .. JOB_STATE_INTERRUPTED, got "
                            + request.getStatesValue(i));
                }
                states.add(stored);
            }
            List<JobEntity.Kind> kinds = new ArrayList<>();
            for (int i = 0; i < request.getKindsCount(); i++) {
                JobKind kind = request.getKinds(i);
                JobEntity.Kind stored = StoreMapping.kind(kind);
                if (stored == null) {
                    throw ErrorStatus.invalid("kinds[" + i + "] must be one of JOB_KIND_COMPRESSION .. JOB_KIND_STUDY, got "
                            + request.getKindsValue(i));
                }
                kinds.add(stored);
            }
            int limit = Validation.listLimit("limit", request.getLimit());
            return QuarkusTransaction.requiringNew().call(() -> ListJobsResponse.newBuilder()
                    .addAllJobs(jobs.listFiltered(states, kinds, limit).stream().map(messages::job).toList())
                    .build());
        });
    }

    @Override
    @Blocking
    public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> observer) {
        long id;
        try {
            id = Validation.positiveId("id", request.getId());
        } catch (RuntimeException e) {
            ErrorStatus.reply(observer, e);
            return;
        }
        ServerCallStreamObserver<JobEvent> call = (ServerCallStreamObserver<JobEvent>) observer;
        JobListener listener = new JobListener() {
            private boolean closed;

            @Override
            public synchronized void onEvent(JobEntity snapshot, boolean last) {
                if (closed) {
                    return;
                }
                if (call.isCancelled()) {
                    closed = true;
                    return;
                }
                call.onNext(JobEvent.newBuilder()
                        .setJob(messages.job(snapshot))
                        .setTime(ProtoTime.toTimestamp(Instant.now()))
                        .build());
                if (last) {
                    closed = true;
                    call.onCompleted();
                }
            }
        };
        call.setOnCancelHandler(() -> runner.unwatch(id, listener));
        try {
            if (!runner.watch(id, listener)) {
                observer.onError(ErrorStatus.notFound("job " + id + " does not exist"));
            }
        } catch (RuntimeException e) {
            ErrorStatus.reply(observer, e);
        }
    }

    @Override
    @Blocking
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> observer) {
        Rpc.unary(observer, () -> {
            long id = Validation.positiveId("id", request.getId());
            return runner.cancel(id).map(messages::job)
                    .orElseThrow(() -> ErrorStatus.notFound("job " + id + " does not exist"));
        });
    }
}

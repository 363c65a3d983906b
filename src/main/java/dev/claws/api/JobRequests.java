package dev.claws.api;

import dev.claws.api.v1.SubmitBenchmarkRequest;
import dev.claws.api.v1.SubmitCompressionRequest;
import dev.claws.api.v1.SubmitRecoveryRequest;
import dev.claws.api.v1.SubmitEvaluationRequest;
import dev.claws.api.v1.SubmitStudyRequest;
import dev.claws.jobs.JobCatalog;
import dev.claws.jobs.JobWork;
import dev.claws.jobs.JobWorks;
import dev.claws.store.Job;
import dev.claws.store.VariantRepository;
import io.grpc.StatusRuntimeException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Rebuilds a job's work from its stored request (the protobuf JSON of the Submit* message), with the same checks as at
 * submission; a request that no longer passes them (its variant was deleted meanwhile) fails the job with that message.
 */
@ApplicationScoped
public class JobRequests implements JobCatalog {

    @Inject
    VariantRepository variants;

    @Inject
    JobWorks works;

    @Override
    public JobWork workFor(Job job) {
        try {
            return switch (job.kind) {
                case EVALUATION -> {
                    SubmitEvaluationRequest request = StoreMapping.mergeJson(job.requestJson,
                            SubmitEvaluationRequest.newBuilder()).build();
                    yield works.evaluation(QuarkusTransaction.requiringNew().call(() ->
                            JobValidation.evaluation(request, variants, works.paths().evalDataDir())));
                }
                case BENCHMARK -> {
                    SubmitBenchmarkRequest request = StoreMapping.mergeJson(job.requestJson,
                            SubmitBenchmarkRequest.newBuilder()).build();
                    yield works.benchmark(QuarkusTransaction.requiringNew().call(() ->
                            JobValidation.benchmark(request, variants)));
                }
                case COMPRESSION -> {
                    SubmitCompressionRequest request = StoreMapping.mergeJson(job.requestJson,
                            SubmitCompressionRequest.newBuilder()).build();
                    yield works.compression(QuarkusTransaction.requiringNew().call(() ->
                            JobValidation.compression(request, variants, works.paths())));
                }
                case RECOVERY -> {
                    SubmitRecoveryRequest request = StoreMapping.mergeJson(job.requestJson,
                            SubmitRecoveryRequest.newBuilder()).build();
                    yield works.recovery(QuarkusTransaction.requiringNew().call(() ->
                            JobValidation.recovery(request, variants, works.paths())));
                }
                case STUDY -> {
                    SubmitStudyRequest request = StoreMapping.mergeJson(job.requestJson,
                            SubmitStudyRequest.newBuilder()).build();
                    yield works.study(QuarkusTransaction.requiringNew().call(() ->
                            StudyValidation.study(request, variants, works.paths())));
                }
                default -> throw new IllegalArgumentException("jobs of kind " + job.kind + " cannot run on this server");
            };
        } catch (StatusRuntimeException e) {
            throw new IllegalArgumentException(e.getStatus().getDescription(), e);
        }
    }
}

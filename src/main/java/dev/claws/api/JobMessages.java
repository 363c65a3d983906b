package dev.claws.api;

import dev.claws.api.v1.CompressionResult;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobResult;
import dev.claws.api.v1.SubmitBenchmarkRequest;
import dev.claws.api.v1.SubmitCompressionRequest;
import dev.claws.api.v1.SubmitEvaluationRequest;
import dev.claws.api.v1.SubmitRecoveryRequest;
import dev.claws.api.v1.SubmitStudyRequest;
import dev.claws.jobs.JobJson;
import dev.claws.jobs.JobResultData;
import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.EvalResultRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.claws.store.JobEntity;

/**
 * Maps job rows to claws.v1.Job messages: the request as it was submitted (request_json) and the result, whose
 * evaluation and benchmark rows are read by id (rows with a spec) or were stored inline (older rows).
 */
@ApplicationScoped
public class JobMessages {

    @Inject
    EvalResultRepository evalResults;

    @Inject
    BenchmarkRunRepository benchmarkRuns;

    public Job job(JobEntity row) {
        Job.Builder job = Job.newBuilder()
                .setId(row.id)
                .setKind(StoreMapping.kind(row.kind))
                .setState(StoreMapping.state(row.state))
                .setProgress(row.progress)
                .setStage(nullToEmpty(row.stage))
                .setMessage(nullToEmpty(row.message))
                .setError(nullToEmpty(row.error))
                .setCreated(ProtoTime.toTimestamp(row.created));
        if (row.started != null) {
            job.setStarted(ProtoTime.toTimestamp(row.started));
        }
        if (row.finished != null) {
            job.setFinished(ProtoTime.toTimestamp(row.finished));
        }
        String request = row.requestJson;
        switch (row.kind) {
            case COMPRESSION -> job.setCompression(StoreMapping.mergeJson(request, SubmitCompressionRequest.newBuilder()));
            case RECOVERY -> job.setRecovery(StoreMapping.mergeJson(request, SubmitRecoveryRequest.newBuilder()));
            case EVALUATION -> job.setEvaluation(StoreMapping.mergeJson(request, SubmitEvaluationRequest.newBuilder()));
            case BENCHMARK -> job.setBenchmark(StoreMapping.mergeJson(request, SubmitBenchmarkRequest.newBuilder()));
            case STUDY -> job.setStudy(StoreMapping.mergeJson(request, SubmitStudyRequest.newBuilder()));
        }
        if (row.resultJson != null) {
            job.setResult(row.specJson == null
                    ? StoreMapping.mergeJson(row.resultJson, JobResult.newBuilder()).build()
                    : result(JobJson.result(row.resultJson)));
        }
        return job.build();
    }

    /** A result with the rows it references in full; reads them in the caller's transaction or a new one. */
    private JobResult result(JobResultData data) {
        JobResult.Builder result = JobResult.newBuilder().addAllVariants(data.variants()).addAllNotes(data.notes());
        for (JobResultData.Compression c : data.compressions()) {
            result.addCompressions(CompressionResult.newBuilder().setVariant(c.variant())
                    .setRequestedRatio(c.requestedRatio()).setParameterRatio(c.parameterRatio())
                    .setParameterCount(c.parameterCount()).setBaseParameterCount(c.baseParameterCount()));
        }
        if (!data.evalResultIds().isEmpty() || !data.benchmarkRunIds().isEmpty()) {
            QuarkusTransaction.joiningExisting().run(() -> {
                for (long id : data.evalResultIds()) {
                    result.addEvaluations(StoreMapping.evalResult(evalResults.findById(id)));
                }
                for (long id : data.benchmarkRunIds()) {
                    result.addBenchmarks(StoreMapping.benchmark(benchmarkRuns.findById(id)));
                }
            });
        }
        return result.build();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}

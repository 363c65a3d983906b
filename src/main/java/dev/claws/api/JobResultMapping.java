package dev.claws.api;

import dev.claws.api.v1.CompressionResult;
import dev.claws.api.v1.JobResult;
import dev.claws.jobs.JobResultData;
import dev.claws.jobs.JobResultEncoder;
import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.EvalResultRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Stores a job's result as a claws.v1.JobResult document with the referenced rows in full. */
@ApplicationScoped
public class JobResultMapping implements JobResultEncoder {

    @Inject
    EvalResultRepository evalResults;

    @Inject
    BenchmarkRunRepository benchmarkRuns;

    @Override
    public String encode(JobResultData data) {
        JobResult.Builder result = JobResult.newBuilder().addAllVariants(data.variants()).addAllNotes(data.notes());
        for (JobResultData.Compression c : data.compressions()) {
            result.addCompressions(CompressionResult.newBuilder().setVariant(c.variant())
                    .setRequestedRatio(c.requestedRatio()).setParameterRatio(c.parameterRatio())
                    .setParameterCount(c.parameterCount()).setBaseParameterCount(c.baseParameterCount()));
        }
        for (long id : data.evalResultIds()) {
            result.addEvaluations(StoreMapping.evalResult(evalResults.findById(id)));
        }
        for (long id : data.benchmarkRunIds()) {
            result.addBenchmarks(StoreMapping.benchmark(benchmarkRuns.findById(id)));
        }
        return StoreMapping.toJson(result.build());
    }
}

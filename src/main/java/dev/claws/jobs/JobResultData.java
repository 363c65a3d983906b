package dev.claws.jobs;

import java.util.List;

/** What a finished job produced, by reference: variant names and the ids of the stored rows. */
public record JobResultData(List<String> variants, List<Long> evalResultIds, List<Long> benchmarkRunIds) {

    public JobResultData {
        variants = List.copyOf(variants);
        evalResultIds = List.copyOf(evalResultIds);
        benchmarkRunIds = List.copyOf(benchmarkRunIds);
    }

    public static JobResultData variants(List<String> names) {
        return new JobResultData(names, List.of(), List.of());
    }

    public static JobResultData evaluations(List<Long> ids) {
        return new JobResultData(List.of(), ids, List.of());
    }

    public static JobResultData benchmarks(List<Long> ids) {
        return new JobResultData(List.of(), List.of(), ids);
    }
}

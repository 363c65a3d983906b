package dev.claws.jobs;

import java.util.List;

/**
 * What a finished job produced, by reference: variant names and the ids of the stored rows; for a compression what it
 * achieved next to what was requested; and notes (warnings) for the user.
 */
public record JobResultData(List<String> variants, List<Long> evalResultIds, List<Long> benchmarkRunIds,
                            List<Compression> compressions, List<String> notes) {

    public JobResultData {
        variants = List.copyOf(variants);
        evalResultIds = List.copyOf(evalResultIds);
        benchmarkRunIds = List.copyOf(benchmarkRunIds);
        compressions = List.copyOf(compressions);
        notes = List.copyOf(notes);
    }

    /**
     * The requested ratio of one compression and the parameter compression it achieved.
     *
     * @param parameterRatio 1 - parameterCount / baseParameterCount (negative when the variant grew)
     */
    public record Compression(String variant, double requestedRatio, double parameterRatio, long parameterCount,
                              long baseParameterCount) {
    }

    public static JobResultData variants(List<String> names) {
        return new JobResultData(names, List.of(), List.of(), List.of(), List.of());
    }

    public static JobResultData compression(Compression compression, List<String> notes) {
        return new JobResultData(List.of(compression.variant()), List.of(), List.of(), List.of(compression), notes);
    }

    public static JobResultData evaluations(List<Long> ids) {
        return new JobResultData(List.of(), ids, List.of(), List.of(), List.of());
    }

    public static JobResultData benchmarks(List<Long> ids) {
        return new JobResultData(List.of(), List.of(), ids, List.of(), List.of());
    }
}

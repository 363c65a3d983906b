package dev.claws.law;

/**
 * The decode benchmark of one compressed variant against its base, measured interleaved in one run.
 *
 * @param speedup             base decode ms per token / the variant's (medians over repeats)
 * @param idealSpeedup        base parameter count / the variant's
 * @param decodeMsPerToken    the variant's median decode ms per token
 * @param decodeMsSpread      largest minus smallest repeat, ms
 * @param baseDecodeMsPerToken the base's median decode ms per token in the same run
 */
public record SpeedObservation(String method, double ratio, long seed, String variant, double speedup,
                               double idealSpeedup, double decodeMsPerToken, double decodeMsSpread,
                               double baseDecodeMsPerToken) {
}

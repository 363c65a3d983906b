package dev.claws.law;

/**
 * What recovery fine-tuning with D tokens bought back at one cell: the share of the compression's damage undone,
 * {@code (L_compressed - L_recovered) / (L_compressed - L_base)} for loss and
 * {@code (L_recovered - L_compressed) / (L_base - L_compressed)} for accuracy (the paper's "recovers up to 55%").
 *
 * @param fraction null when compression did no measurable damage (L_compressed = L_base)
 */
public record RecoveryFraction(String method, double ratio, long seed, long rftTokens, String task, String metric,
                               boolean intrinsic, double base, double compressed, double recovered, Double fraction) {
}

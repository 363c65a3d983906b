package dev.claws.law;

/**
 * One measured value of a study cell, with the base model's value of the same task and metric.
 *
 * @param method    compression method id ("random_prune", "slicegpt")
 * @param ratio     r in (0, 1)
 * @param seed      the cell's seed
 * @param rftTokens D (0 = no RFT)
 * @param task      corpus or zero-shot task
 * @param metric    "cross_entropy" (nats per token) or "acc" / "acc_norm" (fraction)
 * @param intrinsic true for a corpus (loss), false for a zero-shot task (accuracy)
 * @param value     L
 * @param stderr    standard error of L as the evaluation reported it
 * @param baseValue L0
 * @param variant   the measured variant
 */
public record StudyObservation(String method, double ratio, long seed, long rftTokens, String task, String metric,
                               boolean intrinsic, double value, double stderr, double baseValue, String variant) {
}

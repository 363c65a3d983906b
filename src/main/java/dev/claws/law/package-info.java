/**
 * Compression laws of arXiv 2504.04342, pure Java: {@link dev.claws.law.LawFitter} fits
 * {@code L = L0^alpha (1+r)^beta (1 + 1/(D+1))^gamma} by OLS in log space without intercept,
 * {@link dev.claws.law.LawPrediction} predicts L with a prediction interval (95% by default),
 * {@link dev.claws.law.CriticalRatio} gives the critical compression ratio for a threshold,
 * {@link dev.claws.law.RatioShapeCheck} tests linear against quadratic dependence of L on r, and
 * {@link dev.claws.law.PointSelection} pairs stored measurements of variants with their base model's. Results are immutable records; every bad input raises {@link dev.claws.law.LawInputException}
 * (an IllegalArgumentException naming the field and its allowed range), never a NaN result.
 *
 * <p>May import: nothing from claws (Commons Math only).
 */
package dev.claws.law;

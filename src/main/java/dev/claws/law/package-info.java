/**
 * Compression laws of arXiv 2504.04342, pure Java: {@link dev.claws.law.LawFitter} fits
 * {@code L = L0^alpha (1+r)^beta (1 + 1/(D+1))^gamma} by OLS in log space without intercept,
 * {@link dev.claws.law.LawPrediction} predicts L with a 95% prediction interval, {@link dev.claws.law.CriticalRatio} gives
 * the critical compression ratio for a threshold, and {@link dev.claws.law.ShapeCheck} tests linear against quadratic
 * dependence of L on r. Results are immutable records; every bad input raises {@link dev.claws.law.LawInputException}
 * (an IllegalArgumentException naming the field and its allowed range), never a NaN result.
 */
package dev.claws.law;

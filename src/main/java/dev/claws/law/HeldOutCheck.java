package dev.claws.law;

/**
 * The law's prediction of the points at one compression ratio when it is fitted on all other ratios (all seeds and
 * tasks of the setting at that ratio are held out together).
 *
 * @param ratio                the held-out r
 * @param points               points held out
 * @param meanAbsRelativeError mean over them of |predicted - measured| / measured; null when the fit failed
 * @param maxAbsRelativeError  largest of them; null when the fit failed
 * @param covered              how many measured values lie in the 95% prediction interval
 * @param error                why the fit without this ratio failed; null when it succeeded
 */
public record HeldOutCheck(double ratio, int points, Double meanAbsRelativeError, Double maxAbsRelativeError,
                           int covered, String error) {
}

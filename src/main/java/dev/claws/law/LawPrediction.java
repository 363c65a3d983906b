package dev.claws.law;

/**
 * The law's prediction of L at (L0, r, D) with a prediction interval for a new measurement (95% unless asked otherwise).
 *
 * <p>In log space the new observation is {@code x0'b + e} with {@code x0 = (log L0, log(1+r), log(1+1/(D+1)))}; its
 * standard error is {@code sqrt(sigma^2 + x0' Cov(b) x0) = sqrt(sigma^2 (1 + x0'(X'X)^-1 x0))}, and the interval
 * {@code x0'b -/+ t((1 + confidence) / 2, n-p) * se} is exponentiated. {@code predicted = exp(x0'b)} is therefore the median (geometric
 * mean) of the predicted L, not its arithmetic mean, consistent with the interval.
 *
 * @param confidence       coverage of the interval, in (0, 1)
 * @param predicted        exp(x0'b)
 * @param lower            lower end of the prediction interval for a new L
 * @param upper            upper end
 * @param logPredicted     x0'b
 * @param logStandardError standard error of a new log L
 */
public record LawPrediction(double baseMetric, double ratio, double rftSize, double confidence, double predicted,
                            double lower, double upper, double logPredicted, double logStandardError) {

    public static final double DEFAULT_CONFIDENCE = 0.95;

    public static LawPrediction predict(FittedLaw fit, double baseMetric, double ratio, double rftSize) {
        return predict(fit, baseMetric, ratio, rftSize, DEFAULT_CONFIDENCE);
    }

    public static LawPrediction predict(FittedLaw fit, double baseMetric, double ratio, double rftSize, double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new LawInputException("confidence = " + LawChecks.fmt(confidence)
                    + " is outside the allowed range (0, 1)");
        }
        if (fit == null) {
            throw new LawInputException("fit is missing");
        }
        LawChecks.positive("base_metric (L0)", baseMetric);
        LawChecks.ratio("ratio (r)", ratio);
        LawChecks.rftSize("rft_size (D)", rftSize);
        double[] x0 = LawFitter.designRow(baseMetric, ratio, rftSize);
        double[] b = {fit.alpha().estimate(), fit.beta().estimate(), fit.gamma().estimate()};
        double mean = 0;
        double variance = fit.residualVariance();
        for (int i = 0; i < 3; i++) {
            mean += x0[i] * b[i];
            for (int j = 0; j < 3; j++) {
                variance += x0[i] * fit.covariance(i, j) * x0[j];
            }
        }
        double se = Math.sqrt(Math.max(variance, 0));
        double half = CoefficientEstimate.tQuantile(confidence, fit.degreesOfFreedom()) * se;
        double predicted = Math.exp(mean);
        double lower = Math.exp(mean - half);
        double upper = Math.exp(mean + half);
        if (!Double.isFinite(predicted) || !Double.isFinite(upper) || predicted == 0) {
            throw new LawInputException("base_metric (L0) = " + LawChecks.fmt(baseMetric)
                    + " drives the prediction outside the double range; use an L0 of the magnitude the law was fitted on");
        }
        return new LawPrediction(baseMetric, ratio, rftSize, confidence, predicted, lower, upper, mean, se);
    }

    /** True when {@code value} lies in the closed prediction interval. */
    public boolean covers(double value) {
        return lower <= value && value <= upper;
    }
}

package dev.claws.law;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * One fitted coefficient with its standard error and 95% confidence interval
 * {@code estimate -/+ t(0.975, dof) * standardError}.
 *
 * @param estimated false for a term the chosen form leaves out (fixed at 0, zero error, interval [0, 0])
 */
public record CoefficientEstimate(String name, double estimate, double standardError, double lower95, double upper95,
                         boolean estimated) {

    static CoefficientEstimate estimated(String name, double estimate, double standardError, double tQuantile) {
        double half = tQuantile * standardError;
        return new CoefficientEstimate(name, estimate, standardError, estimate - half, estimate + half, true);
    }

    static CoefficientEstimate fixedAtZero(String name) {
        return new CoefficientEstimate(name, 0, 0, 0, 0, false);
    }

    /** True when {@code value} lies in the closed 95% interval. */
    public boolean covers(double value) {
        return lower95 <= value && value <= upper95;
    }

    /** Two-sided 97.5% quantile of Student's t with {@code dof} degrees of freedom (dof >= 1). */
    static double tQuantile975(int dof) {
        return tQuantile(0.95, dof);
    }

    /** Quantile of Student's t bounding a central interval of the given coverage: t((1 + confidence) / 2, dof). */
    static double tQuantile(double confidence, int dof) {
        return new TDistribution(null, dof).inverseCumulativeProbability((1 + confidence) / 2);
    }
}

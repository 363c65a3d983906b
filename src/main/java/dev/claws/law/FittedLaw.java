package dev.claws.law;

import java.util.List;
import java.util.Objects;

/**
 * A fitted compression law {@code L = L0^alpha (1+r)^beta (1 + 1/(D+1))^gamma} with its diagnostics. Every field is a
 * plain value so a stored fit can be rebuilt with this constructor and used for prediction after a restart.
 *
 * <p>R² conventions (the paper's is not known): {@code rSquaredLog} is the centered
 * {@code 1 - SSres / sum (y_i - mean y)^2} with {@code y = log L}; it compares the law with predicting the mean log L and can
 * be negative for a no-intercept model that fits worse than that mean. {@code rSquaredLogUncentered} is
 * {@code 1 - SSres / sum y_i^2}, what R's lm and statsmodels report for a model without intercept; it is always at least the
 * centered value and usually close to 1. {@code rSquaredLinear} is centered in the original units:
 * {@code 1 - sum (L_i - Lhat_i)^2 / sum (L_i - mean L)^2} with {@code Lhat_i = exp(fitted log L_i)}, the median prediction.
 *
 * @param form              which terms were estimated
 * @param points            the points fitted, in input order
 * @param alpha             exponent of L0
 * @param beta              exponent of (1 + r)
 * @param gamma             exponent of (1 + 1/(D+1)); fixed at 0 when {@code form} has no RFT term
 * @param covariance        3x3 row-major {@code sigma^2 (X'X)^-1} over (alpha, beta, gamma); zero rows and columns for terms
 *                          not estimated
 * @param residualVariance  sigma^2 = SSres / (n - p), in log space
 * @param degreesOfFreedom  n - p
 * @param residuals         log L - fitted log L, per point
 * @param notes             caveats on interpreting the coefficients (e.g. gamma acting as an intercept)
 */
public record FittedLaw(FitForm form, List<MeasuredPoint> points, CoefficientEstimate alpha, CoefficientEstimate beta, CoefficientEstimate gamma,
                     List<Double> covariance, double residualVariance, int degreesOfFreedom, double rSquaredLog,
                     double rSquaredLogUncentered, double rSquaredLinear, List<Double> residuals, List<String> notes) {

    public FittedLaw {
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(alpha, "alpha");
        Objects.requireNonNull(beta, "beta");
        Objects.requireNonNull(gamma, "gamma");
        points = List.copyOf(points);
        covariance = List.copyOf(covariance);
        residuals = List.copyOf(residuals);
        notes = List.copyOf(notes);
        if (covariance.size() != 9) {
            throw new IllegalArgumentException("covariance must have 9 entries (3x3 row-major), got " + covariance.size());
        }
        if (degreesOfFreedom < 1) {
            throw new IllegalArgumentException("degreesOfFreedom must be >= 1, got " + degreesOfFreedom);
        }
        if (residuals.size() != points.size()) {
            throw new IllegalArgumentException("one residual per point expected");
        }
    }

    /** Number of points. */
    public int n() {
        return points.size();
    }

    /** Residual standard error sigma in log space. */
    public double residualStandardError() {
        return Math.sqrt(residualVariance);
    }

    /** alpha, beta, gamma in that order. */
    public List<CoefficientEstimate> coefficients() {
        return List.of(alpha, beta, gamma);
    }

    /** Entry (i, j) of the coefficient covariance, indices 0 = alpha, 1 = beta, 2 = gamma. */
    public double covariance(int i, int j) {
        return covariance.get(3 * i + j);
    }
}

package dev.claws.law;

import java.util.List;
import org.apache.commons.math3.distribution.FDistribution;

/**
 * The paper's shape check: does L grow (or fall) linearly or quadratically in r? Fits {@code L = a + b r} and
 * {@code L = a + b r + c r^2} and compares the nested models with the partial F test
 * {@code F = (RSS_lin - RSS_quad) / (RSS_quad / (n - 3))} on (1, n - 3) degrees of freedom (the same as the t test of c).
 * The shape is QUADRATIC when its p-value is below {@link #SIGNIFICANCE}, otherwise LINEAR. The paper reports quadratic
 * growth for intrinsic loss and a linear fall for extrinsic accuracy.
 *
 * <p>Meant for points of one base model and one RFT size: mixing models mixes their L0 levels into the curve.
 * Exact fits: when the line already fits to rounding (RSS_lin <= 1e-12 SS_tot) the shape is LINEAR with F = 0, p = 1;
 * when only the parabola does, QUADRATIC with F = +infinity, p = 0.
 *
 * @param rSquaredGain quadratic R² minus linear R² (never negative)
 */
public record RatioShapeCheck(PolynomialFit linear, PolynomialFit quadratic, double rSquaredGain, double fStatistic,
                         double pValue, Shape shape) {

    /** Level of the partial F test. */
    public static final double SIGNIFICANCE = 0.05;
    private static final double EXACT = 1e-12;

    public enum Shape { LINEAR, QUADRATIC }

    public static RatioShapeCheck of(List<MeasuredPoint> points) {
        if (points == null) {
            throw new LawInputException("points: need at least 4 points for the shape check, got 0");
        }
        double[] ratios = new double[points.size()];
        double[] metrics = new double[points.size()];
        for (int i = 0; i < ratios.length; i++) {
            if (points.get(i) == null) {
                throw new LawInputException("points[" + i + "] is missing");
            }
            ratios[i] = points.get(i).ratio();
            metrics[i] = points.get(i).metric();
        }
        return of(ratios, metrics);
    }

    /** Shape check of metrics[i] (L, finite and > 0) against ratios[i] (r in [0, 1)). */
    public static RatioShapeCheck of(double[] ratios, double[] metrics) {
        if (ratios == null || metrics == null || ratios.length != metrics.length) {
            throw new LawInputException("ratios and metrics must have the same length");
        }
        int n = ratios.length;
        for (int i = 0; i < n; i++) {
            LawChecks.ratio("points[" + i + "].ratio (r)", ratios[i]);
            LawChecks.positive("points[" + i + "].metric (L)", metrics[i]);
        }
        if (n < 4) {
            throw new LawInputException("points: need at least 4 points for the shape check (3 coefficients of the"
                    + " quadratic plus one degree of freedom), got " + n);
        }
        long distinct = java.util.Arrays.stream(ratios).distinct().count();
        if (distinct < 3) {
            throw new LawInputException("points: the shape check needs at least 3 distinct ratios r to tell a"
                    + " parabola from a line, got " + distinct);
        }
        double total = LawFitter.centeredSumOfSquares(metrics);
        if (total == 0) {
            throw new LawInputException("points: every point has the same metric L = " + LawChecks.fmt(metrics[0])
                    + "; the shape check needs L to vary");
        }
        PolynomialFit linear = PolynomialFit.fit(ratios, metrics, 1);
        PolynomialFit quadratic = PolynomialFit.fit(ratios, metrics, 2);
        double rssLinear = linear.residualSumOfSquares();
        double rssQuadratic = Math.min(quadratic.residualSumOfSquares(), rssLinear);
        double f;
        double p;
        if (rssLinear <= EXACT * total) {
            f = 0;
            p = 1;
        } else if (rssQuadratic <= EXACT * total) {
            f = Double.POSITIVE_INFINITY;
            p = 0;
        } else {
            int dof = n - 3;
            f = (rssLinear - rssQuadratic) / (rssQuadratic / dof);
            p = 1 - new FDistribution(null, 1, dof).cumulativeProbability(f);
        }
        Shape shape = p < SIGNIFICANCE ? Shape.QUADRATIC : Shape.LINEAR;
        double gain = Math.max(0, quadratic.rSquared() - linear.rSquared());
        return new RatioShapeCheck(linear, quadratic, gain, f, p, shape);
    }
}

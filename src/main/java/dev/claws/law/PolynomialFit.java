package dev.claws.law;

import java.util.ArrayList;
import java.util.List;

/**
 * Ordinary least squares with intercept of L on powers of r: {@code L = a + b r} (degree 1) or
 * {@code L = a + b r + c r^2} (degree 2). R² is the usual centered one; adjusted R² is
 * {@code 1 - (1 - R²)(n - 1)/(n - p)}.
 *
 * @param coefficients a, b (and c), with standard errors and 95% intervals
 */
public record PolynomialFit(int degree, List<CoefficientEstimate> coefficients, double rSquared, double adjustedRSquared,
                            double residualSumOfSquares, int n) {

    private static final String[] NAMES = {"a (intercept)", "b (r)", "c (r^2)"};

    public PolynomialFit {
        coefficients = List.copyOf(coefficients);
    }

    /** Needs n > degree + 1 and at least degree + 1 distinct ratios; the caller checks both. */
    static PolynomialFit fit(double[] ratios, double[] metrics, int degree) {
        int n = ratios.length;
        int p = degree + 1;
        double[][] x = new double[n][p];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                x[i][j] = Math.pow(ratios[i], j);
            }
        }
        String[] names = java.util.Arrays.copyOf(NAMES, p);
        LeastSquares.Result ls = LeastSquares.solve(x, metrics, names);
        int dof = n - p;
        double sigma2 = ls.residualSumOfSquares() / dof;
        double t = CoefficientEstimate.tQuantile975(dof);
        List<CoefficientEstimate> coefficients = new ArrayList<>(p);
        for (int j = 0; j < p; j++) {
            coefficients.add(CoefficientEstimate.estimated(names[j],
                    ls.coefficients()[j], Math.sqrt(sigma2 * ls.unscaledCovariance()[j][j]), t));
        }
        double rSquared = 1 - ls.residualSumOfSquares() / LawFitter.centeredSumOfSquares(metrics);
        double adjusted = 1 - (1 - rSquared) * (n - 1) / dof;
        return new PolynomialFit(degree, coefficients, rSquared, adjusted, ls.residualSumOfSquares(), n);
    }

    /** CoefficientEstimate of r^k. */
    public double coefficient(int k) {
        return coefficients.get(k).estimate();
    }
}

package dev.claws.law;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ordinary least squares {@code min ||y - X b||} by Householder QR in double precision.
 *
 * <p>Why QR and not the normal equations: forming X'X squares the condition number, and the law's columns (log L0,
 * log(1+r), log(1+1/(D+1))) can be close to parallel when the data span a narrow range; QR works on X itself and loses
 * only about cond(X) * eps. The columns are first scaled to unit length so that the rank test below is relative and
 * independent of units: after scaling, |R_kk| is the distance of column k from the span of the columns before it.
 * A column whose distance is below {@link #PIVOT_TOLERANCE}, or a scaled condition number above
 * {@link #MAX_CONDITION}, means the coefficients are not identifiable, and the fit is refused rather than returning
 * arbitrary or NaN numbers.
 */
final class LeastSquares {

    /** Smallest accepted distance of a unit-length column from the span of the previous columns. */
    static final double PIVOT_TOLERANCE = 1e-10;
    /** Largest accepted Frobenius condition number of the column-scaled design (about 1e10 * eps = 2e-6 relative error). */
    static final double MAX_CONDITION = 1e10;

    /**
     * @param coefficients         b
     * @param unscaledCovariance   (X'X)^-1, so that Cov(b) = sigma^2 (X'X)^-1
     * @param residuals            y - X b
     * @param residualSumOfSquares sum of squared residuals
     * @param condition            Frobenius condition number of the column-scaled design
     */
    record Result(double[] coefficients, double[][] unscaledCovariance, double[] residuals,
                  double residualSumOfSquares, double condition) {
    }

    private LeastSquares() {
    }

    /**
     * Solves the least-squares problem. {@code names[j]} names column j in error messages.
     *
     * @throws LawInputException when there are fewer rows than columns, a column is all zero, or X is rank deficient
     */
    static Result solve(double[][] x, double[] y, String[] names) {
        int n = y.length;
        int p = names.length;
        if (n < p) {
            throw new LawInputException("need at least " + p + " points to fit " + p + " coefficients, got " + n);
        }
        double[] scale = new double[p];
        double[][] a = new double[n][p];
        for (int j = 0; j < p; j++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += x[i][j] * x[i][j];
            }
            scale[j] = Math.sqrt(sum);
            if (scale[j] == 0) {
                throw new LawInputException("column " + names[j] + " is zero for every point, so its coefficient"
                        + " is not identifiable");
            }
            for (int i = 0; i < n; i++) {
                a[i][j] = x[i][j] / scale[j];
            }
        }
        double[] b = y.clone();
        householder(a, b, names);

        double[][] rInverse = upperInverse(a, p);
        double[] z = new double[p];
        for (int i = 0; i < p; i++) {
            double sum = 0;
            for (int k = i; k < p; k++) {
                sum += rInverse[i][k] * b[k];
            }
            z[i] = sum;
        }
        double condition = frobenius(a, p) * frobenius(rInverse, p);
        if (!(condition <= MAX_CONDITION)) {
            throw new LawInputException(String.format(Locale.ROOT,
                    "the columns %s are nearly collinear (scaled condition number %.3g above the limit %.0e), so"
                            + " their coefficients are not identifiable", String.join(", ", names), condition,
                    MAX_CONDITION));
        }
        double[] coefficients = new double[p];
        for (int j = 0; j < p; j++) {
            coefficients[j] = z[j] / scale[j];
        }
        double[][] covariance = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                double sum = 0;
                for (int k = Math.max(i, j); k < p; k++) {
                    sum += rInverse[i][k] * rInverse[j][k];
                }
                covariance[i][j] = sum / (scale[i] * scale[j]);
            }
        }
        double[] residuals = new double[n];
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double fitted = 0;
            for (int j = 0; j < p; j++) {
                fitted += x[i][j] * coefficients[j];
            }
            residuals[i] = y[i] - fitted;
            rss += residuals[i] * residuals[i];
        }
        return new Result(coefficients, covariance, residuals, rss, condition);
    }

    /** In place: the upper p x p triangle of {@code a} becomes R, and {@code b} becomes Q'b. */
    private static void householder(double[][] a, double[] b, String[] names) {
        int n = a.length;
        int p = names.length;
        double[] v = new double[n];
        for (int k = 0; k < p; k++) {
            double norm = 0;
            for (int i = k; i < n; i++) {
                norm += a[i][k] * a[i][k];
            }
            norm = Math.sqrt(norm);
            if (norm <= PIVOT_TOLERANCE) {
                throw rankDeficient(names, k, norm);
            }
            double alpha = a[k][k] > 0 ? -norm : norm;
            for (int i = k; i < n; i++) {
                v[i] = a[i][k];
            }
            v[k] -= alpha;
            double vv = 0;
            for (int i = k; i < n; i++) {
                vv += v[i] * v[i];
            }
            for (int j = k; j < p; j++) {
                reflect(a, j, v, vv, k);
            }
            double dot = 0;
            for (int i = k; i < n; i++) {
                dot += v[i] * b[i];
            }
            double f = 2 * dot / vv;
            for (int i = k; i < n; i++) {
                b[i] -= f * v[i];
            }
            a[k][k] = alpha;
            for (int i = k + 1; i < n; i++) {
                a[i][k] = 0;
            }
        }
    }

    private static void reflect(double[][] a, int column, double[] v, double vv, int from) {
        double dot = 0;
        for (int i = from; i < a.length; i++) {
            dot += v[i] * a[i][column];
        }
        double f = 2 * dot / vv;
        for (int i = from; i < a.length; i++) {
            a[i][column] -= f * v[i];
        }
    }

    private static LawInputException rankDeficient(String[] names, int k, double distance) {
        List<String> before = new ArrayList<>(List.of(names).subList(0, k));
        return new LawInputException(String.format(Locale.ROOT,
                "the design is rank deficient: column %s is (numerically) a linear combination of %s (relative"
                        + " distance %.3g below the tolerance %.0e), so the coefficients are not identifiable",
                names[k], String.join(", ", before), distance, PIVOT_TOLERANCE));
    }

    private static double[][] upperInverse(double[][] r, int p) {
        double[][] inv = new double[p][p];
        for (int i = p - 1; i >= 0; i--) {
            inv[i][i] = 1 / r[i][i];
            for (int j = i + 1; j < p; j++) {
                double sum = 0;
                for (int k = i + 1; k <= j; k++) {
                    sum += r[i][k] * inv[k][j];
                }
                inv[i][j] = -sum / r[i][i];
            }
        }
        return inv;
    }

    private static double frobenius(double[][] m, int p) {
        double sum = 0;
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                sum += m[i][j] * m[i][j];
            }
        }
        return Math.sqrt(sum);
    }
}

package dev.claws.law;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits {@code log L = alpha log L0 + beta log(1+r) + gamma log(1 + 1/(D+1))} by ordinary least squares without
 * intercept, as the paper does, and reports standard errors {@code sqrt(diag(sigma^2 (X'X)^-1))} with
 * {@code sigma^2 = SSres / (n - p)}, 95% Student-t intervals, R² (see {@link FittedLaw}) and residuals.
 *
 * <p>Identifiability. Without an intercept a constant column is still identifiable: it plays the intercept's part. All
 * points sharing one RFT size (most often D = 0, giving the constant column log 2) therefore still gives a fit, with a
 * note that gamma then measures an intercept, not the effect of RFT. Two constant columns are collinear: points from a
 * single base model without RFT make log L0 and log 2 both constant, and the fit is refused with a message that points
 * to {@link FitForm#WITHOUT_RFT}. Any other exact or near rank deficiency is found numerically by the QR solver
 * ({@link LeastSquares}) and refused too. Nothing here returns NaN.
 */
public final class LawFitter {

    static final String ALPHA = "alpha";
    static final String BETA = "beta";
    static final String GAMMA = "gamma";

    private LawFitter() {
    }

    /** Fits the full law (alpha, beta, gamma). */
    public static FittedLaw fit(List<MeasuredPoint> points) {
        return fit(points, FitForm.FULL);
    }

    public static FittedLaw fit(List<MeasuredPoint> points, FitForm form) {
        if (form == null) {
            throw new LawInputException("form must be one of FULL, WITHOUT_RFT");
        }
        int p = form.parameterCount();
        int n = points == null ? 0 : points.size();
        if (n < p + 1) {
            throw new LawInputException("points: need at least " + (p + 1) + " points to fit the " + form + " law ("
                    + p + " coefficients plus one degree of freedom for the error variance), got " + n);
        }
        for (int i = 0; i < n; i++) {
            MeasuredPoint point = points.get(i);
            if (point == null) {
                throw new LawInputException("points[" + i + "] is missing");
            }
        }
        checkIdentifiable(points, form);

        double[][] x = new double[n][p];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double[] row = designRow(points.get(i).baseMetric(), points.get(i).ratio(), points.get(i).rftSize());
            System.arraycopy(row, 0, x[i], 0, p);
            y[i] = Math.log(points.get(i).metric());
        }
        String[] names = form.hasRftTerm()
                ? new String[] {"log L0 (alpha)", "log(1+r) (beta)", "log(1+1/(D+1)) (gamma)"}
                : new String[] {"log L0 (alpha)", "log(1+r) (beta)"};
        LeastSquares.Result ls = LeastSquares.solve(x, y, names);

        int dof = n - p;
        double sigma2 = ls.residualSumOfSquares() / dof;
        double t = CoefficientEstimate.tQuantile975(dof);
        double[] b = ls.coefficients();
        double[][] cov = ls.unscaledCovariance();
        CoefficientEstimate alpha = CoefficientEstimate.estimated(ALPHA, b[0], Math.sqrt(sigma2 * cov[0][0]), t);
        CoefficientEstimate beta = CoefficientEstimate.estimated(BETA, b[1], Math.sqrt(sigma2 * cov[1][1]), t);
        CoefficientEstimate gamma = form.hasRftTerm()
                ? CoefficientEstimate.estimated(GAMMA, b[2], Math.sqrt(sigma2 * cov[2][2]), t)
                : CoefficientEstimate.fixedAtZero(GAMMA);
        List<Double> covariance = new ArrayList<>(9);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                covariance.add(i < p && j < p ? sigma2 * cov[i][j] : 0.0);
            }
        }

        double[] metrics = points.stream().mapToDouble(MeasuredPoint::metric).toArray();
        double[] fittedLinear = new double[n];
        List<Double> residuals = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            residuals.add(ls.residuals()[i]);
            fittedLinear[i] = Math.exp(y[i] - ls.residuals()[i]);
        }
        double rssLinear = 0;
        for (int i = 0; i < n; i++) {
            rssLinear += (metrics[i] - fittedLinear[i]) * (metrics[i] - fittedLinear[i]);
        }
        double sumSquaresLog = 0;
        for (double v : y) {
            sumSquaresLog += v * v;
        }
        double rSquaredLog = 1 - ls.residualSumOfSquares() / centeredSumOfSquares(y);
        double rSquaredLogUncentered = 1 - ls.residualSumOfSquares() / sumSquaresLog;
        double rSquaredLinear = 1 - rssLinear / centeredSumOfSquares(metrics);
        return new FittedLaw(form, points, alpha, beta, gamma, covariance, sigma2, dof, rSquaredLog,
                rSquaredLogUncentered, rSquaredLinear, residuals, notes(points, form));
    }

    /** The regressors (log L0, log(1+r), log(1 + 1/(D+1))) of one point. */
    static double[] designRow(double baseMetric, double ratio, double rftSize) {
        return new double[] {Math.log(baseMetric), Math.log1p(ratio), Math.log1p(1 / (rftSize + 1))};
    }

    /** Refuses, with the reason in the law's own terms, the degenerate designs that can be recognised from the data. */
    private static void checkIdentifiable(List<MeasuredPoint> points, FitForm form) {
        if (allEqual(points, MeasuredPoint::metric)) {
            throw new LawInputException("points: every point has the same metric L = "
                    + LawChecks.fmt(points.get(0).metric()) + "; the spread of L is zero, so R² is undefined and the"
                    + " law has nothing to explain; need at least two distinct L values");
        }
        if (points.stream().allMatch(q -> q.baseMetric() == 1.0)) {
            throw new LawInputException("points: every point has base_metric L0 = 1, so log L0 = 0 and alpha is not"
                    + " identifiable; need points with L0 != 1");
        }
        if (points.stream().allMatch(q -> q.ratio() == 0.0)) {
            throw new LawInputException("points: every point has ratio r = 0, so log(1+r) = 0 and beta is not"
                    + " identifiable; need points with r in (0, 1)");
        }
        boolean constantBase = allEqual(points, MeasuredPoint::baseMetric);
        boolean constantRatio = allEqual(points, MeasuredPoint::ratio);
        boolean constantRft = form.hasRftTerm() && allEqual(points, MeasuredPoint::rftSize);
        List<String> constant = new ArrayList<>();
        if (constantBase) {
            constant.add("base_metric L0 = " + LawChecks.fmt(points.get(0).baseMetric()) + " (alpha)");
        }
        if (constantRatio) {
            constant.add("ratio r = " + LawChecks.fmt(points.get(0).ratio()) + " (beta)");
        }
        if (constantRft) {
            constant.add("rft_size D = " + LawChecks.fmt(points.get(0).rftSize()) + " (gamma)");
        }
        if (constant.size() >= 2) {
            String hint = constantBase && constantRft && !constantRatio
                    ? "; fit the WITHOUT_RFT form (gamma = 0), or add points with other base models or RFT sizes"
                    : "; add points that vary these values";
            throw new LawInputException("points: every point shares " + String.join(" and ", constant)
                    + ", so these columns are all constant (collinear) and their coefficients cannot be separated"
                    + hint);
        }
    }

    private static List<String> notes(List<MeasuredPoint> points, FitForm form) {
        List<String> notes = new ArrayList<>();
        if (form.hasRftTerm() && allEqual(points, MeasuredPoint::rftSize)) {
            notes.add("every point has rft_size D = " + LawChecks.fmt(points.get(0).rftSize())
                    + ": gamma multiplies a constant column and acts as an intercept, it does not measure the effect"
                    + " of recovery fine-tuning");
        }
        if (allEqual(points, MeasuredPoint::ratio)) {
            notes.add("every point has ratio r = " + LawChecks.fmt(points.get(0).ratio())
                    + ": beta multiplies a constant column and acts as an intercept, it does not measure the effect"
                    + " of compression");
        }
        if (allEqual(points, MeasuredPoint::baseMetric)) {
            notes.add("every point has base_metric L0 = " + LawChecks.fmt(points.get(0).baseMetric())
                    + ": alpha multiplies a constant column and acts as an intercept, it does not measure how L"
                    + " scales with L0");
        }
        return notes;
    }

    private static boolean allEqual(List<MeasuredPoint> points, java.util.function.ToDoubleFunction<MeasuredPoint> field) {
        double first = field.applyAsDouble(points.get(0));
        return points.stream().allMatch(q -> field.applyAsDouble(q) == first);
    }

    static double centeredSumOfSquares(double[] values) {
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.length;
        double sum = 0;
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return sum;
    }
}

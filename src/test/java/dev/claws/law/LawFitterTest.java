package dev.claws.law;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.junit.jupiter.api.Test;

class LawFitterTest {

    static final double[] INTRINSIC_L0 = {2.2, 2.7, 3.1, 3.6};
    static final double[] RFT_SIZES = {0, 1, 5, 25};
    static final SyntheticLaw INTRINSIC = new SyntheticLaw(1.05, 0.85, 0.30);

    @Test
    void recoversKnownCoefficientsFromNoisyPoints() {
        List<MeasuredPoint> points = INTRINSIC.points(INTRINSIC_L0, SyntheticLaw.RATIOS, RFT_SIZES, 0.02, 42);
        FittedLaw fit = LawFitter.fit(points);
        print("intrinsic, noise sd 0.02, n=" + fit.n(), fit);

        assertEquals(144, fit.n());
        assertEquals(141, fit.degreesOfFreedom());
        assertTrue(fit.alpha().covers(1.05), fit.alpha().toString());
        assertTrue(fit.beta().covers(0.85), fit.beta().toString());
        assertTrue(fit.gamma().covers(0.30), fit.gamma().toString());
        assertEquals(1.05, fit.alpha().estimate(), 0.02);
        assertEquals(0.85, fit.beta().estimate(), 0.05);
        assertEquals(0.30, fit.gamma().estimate(), 0.05);
        assertEquals(0.02, fit.residualStandardError(), 0.004);
        assertTrue(fit.rSquaredLog() > 0.95 && fit.rSquaredLog() < 1, "R² log " + fit.rSquaredLog());
        assertTrue(fit.rSquaredLinear() > 0.95 && fit.rSquaredLinear() < 1, "R² linear " + fit.rSquaredLinear());
        assertTrue(fit.rSquaredLogUncentered() >= fit.rSquaredLog());
        assertTrue(fit.notes().isEmpty(), fit.notes().toString());
        assertAllFinite(fit);
    }

    /** Over many seeds each 95% interval should cover its true coefficient about 95% of the time. */
    @Test
    void intervalsHaveNominalCoverage() {
        double[] fewRatios = {0.1, 0.3, 0.5, 0.7, 0.9};
        assertCoverage("n=40, sd 0.05", seed -> INTRINSIC.points(INTRINSIC_L0, fewRatios, new double[] {0, 4}, 0.05, seed));
        assertCoverage("n=144, sd 0.02", seed -> INTRINSIC.points(INTRINSIC_L0, SyntheticLaw.RATIOS, RFT_SIZES, 0.02, seed));
    }

    private static void assertCoverage(String design, java.util.function.LongFunction<List<MeasuredPoint>> points) {
        int reps = 1000;
        int[] covered = new int[3];
        for (int seed = 0; seed < reps; seed++) {
            FittedLaw fit = LawFitter.fit(points.apply(1000 + seed));
            covered[0] += fit.alpha().covers(INTRINSIC.alpha()) ? 1 : 0;
            covered[1] += fit.beta().covers(INTRINSIC.beta()) ? 1 : 0;
            covered[2] += fit.gamma().covers(INTRINSIC.gamma()) ? 1 : 0;
        }
        System.out.printf("coverage over %d seeds (%s): alpha %.3f beta %.3f gamma %.3f%n",
                reps, design, covered[0] / (double) reps, covered[1] / (double) reps, covered[2] / (double) reps);
        for (int c : covered) {
            // binomial(1000, 0.95): sd 0.0069, so [0.93, 0.97] is about +-3 sd
            assertTrue(c >= 930 && c <= 970, design + ": coverage " + c + "/" + reps);
        }
    }

    @Test
    void reproducesThePublishedExtrinsicLaw() {
        SyntheticLaw published = new SyntheticLaw(0.98, -1.03, 0.0);
        double[] accuracies = {0.48, 0.55, 0.62, 0.70, 0.74};
        double[] rft = {0, 1, 5, 10, 25};

        FittedLaw exact = LawFitter.fit(published.points(accuracies, SyntheticLaw.RATIOS, rft, 0, 0));
        assertEquals(0.98, exact.alpha().estimate(), 1e-12);
        assertEquals(-1.03, exact.beta().estimate(), 1e-12);
        assertEquals(0.0, exact.gamma().estimate(), 1e-12);
        assertEquals(1.0, exact.rSquaredLog(), 1e-12);
        assertEquals(1.0, exact.rSquaredLinear(), 1e-12);
        assertAllFinite(exact);

        FittedLaw noisy = LawFitter.fit(published.points(accuracies, SyntheticLaw.RATIOS, rft, 0.01, 7));
        print("published extrinsic law, noise sd 0.01, n=" + noisy.n(), noisy);
        assertEquals(0.98, noisy.alpha().estimate(), 0.01);
        assertEquals(-1.03, noisy.beta().estimate(), 0.02);
        assertEquals(0.0, noisy.gamma().estimate(), 0.02);
        assertTrue(noisy.alpha().covers(0.98) && noisy.beta().covers(-1.03) && noisy.gamma().covers(0));

        // the published law has no RFT term: the reduced form recovers it as well
        FittedLaw reduced = LawFitter.fit(published.points(accuracies, SyntheticLaw.RATIOS, rft, 0.01, 7),
                FitForm.WITHOUT_RFT);
        print("published extrinsic law, WITHOUT_RFT form", reduced);
        assertTrue(reduced.alpha().covers(0.98) && reduced.beta().covers(-1.03));
        assertFalse(reduced.gamma().estimated());
        assertEquals(0.0, reduced.covariance(2, 2));
        assertEquals(reduced.n() - 2, reduced.degreesOfFreedom());
    }

    /** Coefficients, standard errors, (X'X)^-1, residuals and R² against Commons Math's independent QR solver. */
    @Test
    void matchesCommonsMathOls() {
        List<List<MeasuredPoint>> designs = List.of(
                INTRINSIC.points(INTRINSIC_L0, SyntheticLaw.RATIOS, RFT_SIZES, 0.03, 3),
                new SyntheticLaw(0.9, -0.7, -0.1).points(new double[] {0.5, 0.6}, new double[] {0.2, 0.5, 0.8},
                        new double[] {0, 2}, 0.05, 4),
                // nearly collinear: L0 barely varies and D is constant, so log L0 is almost parallel to the constant log 2
                INTRINSIC.points(new double[] {3.0, 3.0001, 3.0002}, SyntheticLaw.RATIOS, new double[] {0}, 0.01, 5));
        for (List<MeasuredPoint> points : designs) {
            FittedLaw fit = LawFitter.fit(points);
            int n = points.size();
            double[][] x = new double[n][];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                MeasuredPoint p = points.get(i);
                x[i] = new double[] {Math.log(p.baseMetric()), Math.log(1 + p.ratio()), Math.log(1 + 1 / (p.rftSize() + 1))};
                y[i] = Math.log(p.metric());
            }
            OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
            ols.setNoIntercept(true);
            ols.newSampleData(y, x);
            double[] b = ols.estimateRegressionParameters();
            double[] se = ols.estimateRegressionParametersStandardErrors();
            double[][] xtxInv = ols.estimateRegressionParametersVariance();
            double[] residuals = ols.estimateResiduals();
            List<CoefficientEstimate> ours = fit.coefficients();
            for (int j = 0; j < 3; j++) {
                assertEquals(b[j], ours.get(j).estimate(), 1e-9 * Math.max(1, Math.abs(b[j])), "coefficient " + j);
                assertEquals(se[j], ours.get(j).standardError(), 1e-9 * se[j], "standard error " + j);
                for (int k = 0; k < 3; k++) {
                    // relative to the scale sqrt(cov_jj cov_kk): an off-diagonal entry near 0 is all cancellation
                    double scale = Math.sqrt(fit.covariance(j, j) * fit.covariance(k, k));
                    double expected = xtxInv[j][k] * ols.estimateErrorVariance();
                    assertEquals(expected, fit.covariance(j, k), 1e-9 * scale, "cov " + j + k);
                }
            }
            for (int i = 0; i < n; i++) {
                assertEquals(residuals[i], fit.residuals().get(i), 1e-9);
            }
            assertEquals(ols.estimateErrorVariance(), fit.residualVariance(), 1e-12 * fit.residualVariance());
            // Commons Math's R² without intercept is the uncentered one
            assertEquals(ols.calculateRSquared(), fit.rSquaredLogUncentered(), 1e-12);
            double centered = 1 - ols.calculateResidualSumOfSquares() / LawFitter.centeredSumOfSquares(y);
            assertEquals(centered, fit.rSquaredLog(), 1e-10);
        }
    }

    @Test
    void constantRftSizeStillFitsWithGammaAsIntercept() {
        List<MeasuredPoint> points = INTRINSIC.points(INTRINSIC_L0, SyntheticLaw.RATIOS, new double[] {0}, 0.0, 0);
        FittedLaw fit = LawFitter.fit(points);
        // gamma * log 2 absorbs no level here: the data follow the law, so every coefficient is exact
        assertEquals(1.05, fit.alpha().estimate(), 1e-10);
        assertEquals(0.85, fit.beta().estimate(), 1e-10);
        assertEquals(0.30, fit.gamma().estimate(), 1e-10);
        assertEquals(1, fit.notes().size());
        assertTrue(fit.notes().get(0).contains("gamma multiplies a constant column and acts as an intercept"));
    }

    @Test
    void singleBaseModelWithoutRftNeedsTheReducedForm() {
        List<MeasuredPoint> points = INTRINSIC.points(new double[] {2.7}, SyntheticLaw.RATIOS, new double[] {0}, 0.01, 9);
        LawInputException e = assertThrows(LawInputException.class, () -> LawFitter.fit(points));
        assertEquals("points: every point shares base_metric L0 = 2.70000 (alpha) and rft_size D = 0.00000 (gamma),"
                + " so these columns are all constant (collinear) and their coefficients cannot be separated; fit the"
                + " WITHOUT_RFT form (gamma = 0), or add points with other base models or RFT sizes", e.getMessage());

        FittedLaw reduced = LawFitter.fit(points, FitForm.WITHOUT_RFT);
        // alpha * log 2.7 now carries the level L(r=0) = 2.7^1.05 * 2^0.3
        assertEquals(Math.log(INTRINSIC.value(2.7, 0, 0)), reduced.alpha().estimate() * Math.log(2.7), 0.02);
        assertTrue(reduced.beta().covers(0.85), reduced.beta().toString());
        assertTrue(reduced.notes().get(0).contains("alpha multiplies a constant column"));
        assertAllFinite(reduced);
    }

    @Test
    void degenerateInputsAreRefusedWithTheReason() {
        List<MeasuredPoint> three = INTRINSIC.points(new double[] {2, 3, 4}, new double[] {0.5}, new double[] {1}, 0, 0);
        assertMessage("points: need at least 4 points to fit the FULL law (3 coefficients plus one degree of freedom"
                + " for the error variance), got 3", () -> LawFitter.fit(three));
        assertMessage("points: need at least 3 points to fit the WITHOUT_RFT law (2 coefficients plus one degree of"
                + " freedom for the error variance), got 0", () -> LawFitter.fit(List.of(), FitForm.WITHOUT_RFT));
        assertMessage("points: need at least 4 points to fit the FULL law (3 coefficients plus one degree of freedom"
                + " for the error variance), got 0", () -> LawFitter.fit(null));

        List<MeasuredPoint> unitBase = INTRINSIC.points(new double[] {1.0}, SyntheticLaw.RATIOS, RFT_SIZES, 0.01, 1);
        assertMessage("points: every point has base_metric L0 = 1, so log L0 = 0 and alpha is not identifiable;"
                + " need points with L0 != 1", () -> LawFitter.fit(unitBase));

        List<MeasuredPoint> uncompressed = INTRINSIC.points(INTRINSIC_L0, new double[] {0.0}, RFT_SIZES, 0.01, 1);
        assertMessage("points: every point has ratio r = 0, so log(1+r) = 0 and beta is not identifiable; need"
                + " points with r in (0, 1)", () -> LawFitter.fit(uncompressed));

        List<MeasuredPoint> flat = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            flat.add(new MeasuredPoint(0.5, 0.6 + 0.01 * i, 0.1 * (i + 1), i));
        }
        assertMessage("points: every point has the same metric L = 0.500000; the spread of L is zero, so R² is"
                + " undefined and the law has nothing to explain; need at least two distinct L values",
                () -> LawFitter.fit(flat));

        List<MeasuredPoint> oneRatioOneRft = INTRINSIC.points(INTRINSIC_L0, new double[] {0.4}, new double[] {2}, 0.01, 1);
        assertTrue(assertThrows(LawInputException.class, () -> LawFitter.fit(oneRatioOneRft)).getMessage()
                .startsWith("points: every point shares ratio r = 0.400000 (beta) and rft_size D = 2.00000 (gamma)"));

        // one ratio alone is identifiable (it plays the intercept) but flagged
        FittedLaw oneRatio = LawFitter.fit(INTRINSIC.points(INTRINSIC_L0, new double[] {0.4}, RFT_SIZES, 0.01, 1));
        assertEquals(List.of("every point has ratio r = 0.400000: beta multiplies a constant column and acts as an"
                + " intercept, it does not measure the effect of compression"), oneRatio.notes());
        assertAllFinite(oneRatio);

        List<MeasuredPoint> withNull = new ArrayList<>(INTRINSIC.points(INTRINSIC_L0, SyntheticLaw.RATIOS, RFT_SIZES, 0, 0));
        withNull.set(5, null);
        assertMessage("points[5] is missing", () -> LawFitter.fit(withNull));
        assertMessage("form must be one of FULL, WITHOUT_RFT", () -> LawFitter.fit(withNull, null));
    }

    /** L0 = (1+r)^2 makes the log L0 and log(1+r) columns proportional without either being constant. */
    @Test
    void collinearColumnsAreFoundNumerically() {
        List<MeasuredPoint> points = new ArrayList<>();
        double[] rft = {0, 1, 4};
        for (int i = 0; i < 9; i++) {
            double r = SyntheticLaw.RATIOS[i];
            double l0 = Math.pow(1 + r, 2);
            points.add(new MeasuredPoint(INTRINSIC.value(l0, r, rft[i % 3]) * (1 + 0.01 * (i % 2)), l0, r, rft[i % 3]));
        }
        String message = assertThrows(LawInputException.class, () -> LawFitter.fit(points)).getMessage();
        assertTrue(message.startsWith("the design is rank deficient: column log(1+r) (beta) is (numerically) a linear"
                + " combination of log L0 (alpha)"), message);

        // nearly proportional (relative perturbation 1e-13): refused as well, not answered with huge numbers
        List<MeasuredPoint> nearly = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            MeasuredPoint p = points.get(i);
            nearly.add(new MeasuredPoint(p.metric(), p.baseMetric() * (1 + 1e-13 * (i % 3)), p.ratio(), p.rftSize()));
        }
        String nearlyMessage = assertThrows(LawInputException.class, () -> LawFitter.fit(nearly)).getMessage();
        assertTrue(nearlyMessage.contains("not identifiable"), nearlyMessage);
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(LawInputException.class, call).getMessage());
    }

    static void assertAllFinite(FittedLaw fit) {
        for (CoefficientEstimate c : fit.coefficients()) {
            assertTrue(Double.isFinite(c.estimate()) && Double.isFinite(c.standardError())
                    && Double.isFinite(c.lower95()) && Double.isFinite(c.upper95()), c.toString());
        }
        fit.covariance().forEach(v -> assertTrue(Double.isFinite(v)));
        fit.residuals().forEach(v -> assertTrue(Double.isFinite(v)));
        assertTrue(Double.isFinite(fit.rSquaredLog()) && Double.isFinite(fit.rSquaredLinear())
                && Double.isFinite(fit.rSquaredLogUncentered()) && Double.isFinite(fit.residualVariance()));
    }

    static void print(String title, FittedLaw fit) {
        System.out.println(title + ":");
        for (CoefficientEstimate c : fit.coefficients()) {
            System.out.printf("  %-5s = %+.4f  se %.4f  95%% [%+.4f, %+.4f]%s%n", c.name(), c.estimate(),
                    c.standardError(), c.lower95(), c.upper95(), c.estimated() ? "" : "  (fixed)");
        }
        System.out.printf("  sigma %.4f, R² log %.4f (uncentered %.6f), R² linear %.4f, dof %d%n",
                fit.residualStandardError(), fit.rSquaredLog(), fit.rSquaredLogUncentered(), fit.rSquaredLinear(),
                fit.degreesOfFreedom());
    }
}

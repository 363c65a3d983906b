package dev.claws.law;

import static dev.claws.law.LawFitterTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CriticalRatioTest {

    static final double[] ACCURACIES = {0.48, 0.55, 0.62, 0.70, 0.74};
    static final double[] RFT = {0, 1, 5, 25};

    static FittedLaw exactFit(double alpha, double beta, double gamma) {
        return LawFitter.fit(new SyntheticLaw(alpha, beta, gamma).points(ACCURACIES, SyntheticLaw.RATIOS, RFT, 0, 0));
    }

    @Test
    void publishedExtrinsicLawMatchesClosedFormAndHandNumbers() {
        FittedLaw fit = exactFit(0.98, -1.03, 0);
        CriticalRatio eighty = CriticalRatio.of(fit, 0.8);
        // 0.8^(1/-1.03) - 1 = exp(0.2231436 / 1.03) - 1 = exp(0.2166443) - 1
        assertEquals(Math.pow(0.8, 1 / -1.03) - 1, eighty.ratio(), 1e-10);
        assertEquals(0.24190, eighty.ratio(), 1e-5);
        assertEquals(CriticalRatio.Outcome.WITHIN_RANGE, eighty.outcome());
        assertEquals(Double.POSITIVE_INFINITY, eighty.rftSize());
        assertEquals("beyond r = 0.241902 even unlimited RFT cannot keep L / L0^alpha >= 0.800000", eighty.meaning());
        System.out.println("published law, sigma 0.8: " + eighty.meaning());

        assertEquals(0.10771, CriticalRatio.of(fit, 0.9).ratio(), 1e-5);
        assertEquals(0.96003, CriticalRatio.of(fit, 0.5).ratio(), 1e-5);

        // keeping 40% is possible at every ratio below 1: r* = 1.434 >= 1
        CriticalRatio forty = CriticalRatio.of(fit, 0.4);
        assertEquals(1.43416, forty.ratio(), 1e-5);
        assertEquals(CriticalRatio.Outcome.NEVER_CROSSED, forty.outcome());
        assertTrue(forty.meaning().startsWith("no ratio in [0, 1) violates L / L0^alpha >= 0.400000"), forty.meaning());
    }

    @Test
    void intrinsicLawUsesThresholdAboveOne() {
        assertEquals(0.44, CriticalRatio.of(exactFit(1.0, 0.5, 0.2), 1.2).ratio(), 1e-10); // 1.2^2 - 1
        assertEquals(0.10, CriticalRatio.of(exactFit(1.0, 2.0, 0.2), 1.21).ratio(), 1e-10); // 1.21^0.5 - 1
        CriticalRatio loss = CriticalRatio.of(exactFit(1.0, 2.0, 0.2), 1.21);
        assertEquals("beyond r = 0.100000 even unlimited RFT cannot keep L / L0^alpha <= 1.21000", loss.meaning());
    }

    @Test
    void finiteRftDividesTheThresholdByTheRftFactor() {
        FittedLaw fit = exactFit(0.98, -1.03, -0.2);
        double g = Math.pow(2, -0.2); // D = 0: (1 + 1/1)^gamma
        CriticalRatio noRft = CriticalRatio.of(fit, 0.8, 0);
        assertEquals(Math.pow(0.8 / g, 1 / -1.03) - 1, noRft.ratio(), 1e-10);
        assertEquals(0.08551, noRft.ratio(), 1e-5);
        assertTrue(noRft.ratio() < CriticalRatio.of(fit, 0.8).ratio(), "RFT can only widen the usable range here");
        assertFalse(noRft.intervalAvailable());

        // gamma = -0.5: without RFT the factor 2^-0.5 = 0.707 is already below sigma = 0.8
        CriticalRatio hopeless = CriticalRatio.of(exactFit(0.98, -1.03, -0.5), 0.8, 0);
        assertEquals(CriticalRatio.Outcome.ALWAYS_CROSSED, hopeless.outcome());
        assertTrue(hopeless.ratio() <= 0);
        assertTrue(hopeless.meaning().startsWith("even r = 0 with RFT of size D = 0.00000 does not keep"), hopeless.meaning());
    }

    @Test
    void intervalFollowsFromBetasInterval() {
        FittedLaw fit = LawFitter.fit(new SyntheticLaw(0.98, -1.03, 0).points(ACCURACIES, SyntheticLaw.RATIOS, RFT, 0.02, 17));
        CriticalRatio critical = CriticalRatio.of(fit, 0.8);
        assertTrue(critical.intervalAvailable());
        double a = Math.pow(0.8, 1 / fit.beta().lower95()) - 1;
        double b = Math.pow(0.8, 1 / fit.beta().upper95()) - 1;
        assertEquals(Math.min(a, b), critical.lower95(), 1e-12);
        assertEquals(Math.max(a, b), critical.upper95(), 1e-12);
        assertTrue(critical.lower95() < critical.ratio() && critical.ratio() < critical.upper95());
        double truth = Math.pow(0.8, 1 / -1.03) - 1;
        assertTrue(critical.lower95() <= truth && truth <= critical.upper95(), critical.toString());
        System.out.printf("noisy published law, sigma 0.8: r* = %.4f, 95%% [%.4f, %.4f], truth %.4f%n",
                critical.ratio(), critical.lower95(), critical.upper95(), truth);
    }

    @Test
    void thresholdMustMatchTheSignOfBeta() {
        FittedLaw extrinsic = exactFit(0.98, -1.03, 0);
        assertMessage("sigma = 1.20000 is outside the allowed range (0, 1): the fit's beta = -1.03000 < 0 (metric falls"
                + " with r, e.g. accuracy), so sigma is the fraction of L0^alpha to keep", () -> CriticalRatio.of(extrinsic, 1.2));
        assertMessage("sigma = 1.00000 is outside the allowed range (0, 1): the fit's beta = -1.03000 < 0 (metric falls"
                + " with r, e.g. accuracy), so sigma is the fraction of L0^alpha to keep", () -> CriticalRatio.of(extrinsic, 1));
        assertMessage("sigma = 0.00000 is outside the allowed range (0, 1): the fit's beta = -1.03000 < 0 (metric falls"
                + " with r, e.g. accuracy), so sigma is the fraction of L0^alpha to keep", () -> CriticalRatio.of(extrinsic, 0));
        FittedLaw intrinsic = exactFit(1.0, 0.5, 0.2);
        assertMessage("sigma = 0.900000 is outside the allowed range (1, inf): the fit's beta = 0.500000 > 0 (metric"
                + " grows with r, e.g. loss), so sigma is the largest allowed multiple of L0^alpha",
                () -> CriticalRatio.of(intrinsic, 0.9));
        assertMessage("sigma = NaN is outside the allowed range (1, inf): the fit's beta = 0.500000 > 0 (metric"
                + " grows with r, e.g. loss), so sigma is the largest allowed multiple of L0^alpha",
                () -> CriticalRatio.of(intrinsic, Double.NaN));
        assertMessage("rft_size (D) = -1.00000 is outside the allowed range: >= 0, or +infinity for unlimited RFT",
                () -> CriticalRatio.of(intrinsic, 1.2, -1));
        assertMessage("fit is missing", () -> CriticalRatio.of(null, 0.8));
    }

    @Test
    void zeroBetaIsRefused() {
        FittedLaw flat = exactFit(1.0, 0.5, 0.2);
        CoefficientEstimate zero = new CoefficientEstimate("beta", 0, 0.1, -0.2, 0.2, true);
        FittedLaw zeroBeta = new FittedLaw(flat.form(), flat.points(), flat.alpha(), zero, flat.gamma(), flat.covariance(),
                flat.residualVariance(), flat.degreesOfFreedom(), flat.rSquaredLog(), flat.rSquaredLogUncentered(),
                flat.rSquaredLinear(), flat.residuals(), flat.notes());
        assertMessage("the fit's beta = 0.00000 must be finite and non-zero for a critical ratio",
                () -> CriticalRatio.of(zeroBeta, 0.8));
    }
}

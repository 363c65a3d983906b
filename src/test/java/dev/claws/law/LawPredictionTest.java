package dev.claws.law;

import static dev.claws.law.LawFitterTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LawPredictionTest {

    static final SyntheticLaw LAW = LawFitterTest.INTRINSIC;

    @Test
    void heldOutNoiseFreePointsLieInsideTheInterval() {
        FittedLaw fit = LawFitter.fit(LAW.points(LawFitterTest.INTRINSIC_L0, new double[] {0.1, 0.3, 0.5, 0.7, 0.9},
                new double[] {0, 2, 10}, 0.03, 11));
        double[][] heldOut = {{2.5, 0.25, 1}, {3.3, 0.65, 4}, {2.9, 0.85, 0}, {2.3, 0.05, 30}, {3.5, 0.45, 7}};
        for (double[] q : heldOut) {
            LawPrediction prediction = LawPrediction.predict(fit, q[0], q[1], q[2]);
            double truth = LAW.value(q[0], q[1], q[2]);
            System.out.printf("L0=%.2f r=%.2f D=%.0f: truth %.4f predicted %.4f 95%% PI [%.4f, %.4f]%n",
                    q[0], q[1], q[2], truth, prediction.predicted(), prediction.lower(), prediction.upper());
            assertTrue(prediction.covers(truth), prediction.toString());
            assertEquals(truth, prediction.predicted(), 0.02 * truth);
            assertTrue(prediction.lower() < prediction.predicted() && prediction.predicted() < prediction.upper());
            // the interval is at least as wide as the noise alone: exp(+-t * sigma)
            assertTrue(prediction.logStandardError() >= fit.residualStandardError());
        }
    }

    @Test
    void predictionIntervalHasNominalCoverage() {
        int reps = 1000;
        int covered = 0;
        SplittableRandom random = new SplittableRandom(5);
        double[] ratios = {0.1, 0.3, 0.5, 0.7, 0.9};
        for (int seed = 0; seed < reps; seed++) {
            FittedLaw fit = LawFitter.fit(LAW.points(LawFitterTest.INTRINSIC_L0, ratios, new double[] {0, 4}, 0.05, seed));
            double l0 = 2 + 2 * random.nextDouble();
            double r = 0.9 * random.nextDouble();
            double d = 10 * random.nextDouble();
            double observed = LAW.value(l0, r, d) * Math.exp(0.05 * random.nextGaussian());
            covered += LawPrediction.predict(fit, l0, r, d).covers(observed) ? 1 : 0;
        }
        System.out.printf("prediction interval coverage over %d seeds: %.3f%n", reps, covered / (double) reps);
        assertTrue(covered >= 930 && covered <= 970, "coverage " + covered);
    }

    @Test
    void exactFitPredictsTheLawAndARebuiltFitPredictsTheSame() {
        FittedLaw fit = LawFitter.fit(LAW.points(LawFitterTest.INTRINSIC_L0, SyntheticLaw.RATIOS, new double[] {0, 3}, 0, 0));
        LawPrediction exact = LawPrediction.predict(fit, 2.8, 0.55, 2);
        assertEquals(LAW.value(2.8, 0.55, 2), exact.predicted(), 1e-10);
        assertEquals(exact.predicted(), exact.upper(), 1e-6);

        FittedLaw noisy = LawFitter.fit(LAW.points(LawFitterTest.INTRINSIC_L0, SyntheticLaw.RATIOS, new double[] {0, 3}, 0.02, 3));
        // what the store keeps: every field of the record; rebuilding from them must predict identically
        FittedLaw rebuilt = new FittedLaw(noisy.form(), List.copyOf(noisy.points()), noisy.alpha(), noisy.beta(), noisy.gamma(),
                List.copyOf(noisy.covariance()), noisy.residualVariance(), noisy.degreesOfFreedom(), noisy.rSquaredLog(),
                noisy.rSquaredLogUncentered(), noisy.rSquaredLinear(), noisy.residuals(), noisy.notes());
        assertEquals(LawPrediction.predict(noisy, 3.0, 0.4, 1), LawPrediction.predict(rebuilt, 3.0, 0.4, 1));
    }

    @Test
    void predictionFormulaMatchesHandComputation() {
        FittedLaw fit = LawFitter.fit(LAW.points(LawFitterTest.INTRINSIC_L0, SyntheticLaw.RATIOS, new double[] {0, 3}, 0.04, 8));
        double[] x0 = {Math.log(3.2), Math.log(1.3), Math.log(1 + 1 / 6.0)};
        double mean = x0[0] * fit.alpha().estimate() + x0[1] * fit.beta().estimate() + x0[2] * fit.gamma().estimate();
        double variance = fit.residualVariance();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                variance += x0[i] * x0[j] * fit.covariance(i, j);
            }
        }
        double t = new org.apache.commons.math3.distribution.TDistribution(fit.degreesOfFreedom())
                .inverseCumulativeProbability(0.975);
        LawPrediction p = LawPrediction.predict(fit, 3.2, 0.3, 5);
        assertEquals(Math.exp(mean), p.predicted(), 1e-12);
        assertEquals(Math.exp(mean - t * Math.sqrt(variance)), p.lower(), 1e-12);
        assertEquals(Math.exp(mean + t * Math.sqrt(variance)), p.upper(), 1e-12);

        double t80 = new org.apache.commons.math3.distribution.TDistribution(fit.degreesOfFreedom())
                .inverseCumulativeProbability(0.9);
        LawPrediction narrow = LawPrediction.predict(fit, 3.2, 0.3, 5, 0.8);
        assertEquals(0.8, narrow.confidence());
        assertEquals(p.predicted(), narrow.predicted(), 0);
        assertEquals(Math.exp(mean - t80 * Math.sqrt(variance)), narrow.lower(), 1e-12);
        assertEquals(Math.exp(mean + t80 * Math.sqrt(variance)), narrow.upper(), 1e-12);
        assertTrue(p.lower() < narrow.lower() && narrow.upper() < p.upper());
    }

    @Test
    void inputsAreValidatedLikePoints() {
        FittedLaw fit = LawFitter.fit(LAW.points(LawFitterTest.INTRINSIC_L0, SyntheticLaw.RATIOS, new double[] {0, 3}, 0.02, 1));
        assertMessage("ratio (r) = 1.20000 is outside the allowed range [0, 1)", () -> LawPrediction.predict(fit, 3, 1.2, 0));
        assertMessage("base_metric (L0) = 0.00000 is outside the allowed range: finite and > 0",
                () -> LawPrediction.predict(fit, 0, 0.2, 0));
        assertMessage("rft_size (D) = NaN is outside the allowed range: finite and >= 0",
                () -> LawPrediction.predict(fit, 3, 0.2, Double.NaN));
        assertMessage("fit is missing", () -> LawPrediction.predict(null, 3, 0.2, 0));
        assertMessage("confidence = 1.00000 is outside the allowed range (0, 1)",
                () -> LawPrediction.predict(fit, 3, 0.2, 0, 1));
        assertMessage("base_metric (L0) = 1.00000e+300 drives the prediction outside the double range; use an L0 of the"
                + " magnitude the law was fitted on", () -> LawPrediction.predict(fit, 1e300, 0.2, 0));
    }
}

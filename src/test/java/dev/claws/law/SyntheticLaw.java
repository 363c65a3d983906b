package dev.claws.law;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Points drawn from a known law {@code L = L0^alpha (1+r)^beta (1+1/(D+1))^gamma * exp(noise)}, noise ~ N(0, sd^2).
 * SplittableRandom, not java.util.Random: the latter's first outputs for small consecutive seeds are correlated.
 */
record SyntheticLaw(double alpha, double beta, double gamma) {

    static final double[] RATIOS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

    double value(double baseMetric, double ratio, double rftSize) {
        return Math.pow(baseMetric, alpha) * Math.pow(1 + ratio, beta) * Math.pow(1 + 1 / (rftSize + 1), gamma);
    }

    /** One point per combination of the given base metrics, ratios and RFT sizes. */
    List<MeasuredPoint> points(double[] baseMetrics, double[] ratios, double[] rftSizes, double sd, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<MeasuredPoint> points = new ArrayList<>();
        for (double l0 : baseMetrics) {
            for (double r : ratios) {
                for (double d : rftSizes) {
                    double noise = sd == 0 ? 0 : sd * random.nextGaussian();
                    points.add(new MeasuredPoint(value(l0, r, d) * Math.exp(noise), l0, r, d));
                }
            }
        }
        return points;
    }
}

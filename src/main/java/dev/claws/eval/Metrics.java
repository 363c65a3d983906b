package dev.claws.eval;

/** Aggregations as lm-evaluation-harness computes them ({@code lm_eval.api.metrics}). */
public final class Metrics {
    private Metrics() {
    }

    public static double mean(double[] values) {
        requireNonEmpty(values);
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** {@code sample_stddev}: square root of the sum of squared deviations over {@code n - 1}; NaN when n < 2. */
    public static double sampleStddev(double[] values) {
        requireNonEmpty(values);
        if (values.length < 2) {
            return Double.NaN;
        }
        double mu = mean(values);
        double ss = 0;
        for (double v : values) {
            ss += (v - mu) * (v - mu);
        }
        return Math.sqrt(ss / (values.length - 1));
    }

    /** {@code mean_stderr}: {@code sample_stddev / sqrt(n)}, the standard error of the mean; NaN when n < 2. */
    public static double meanStderr(double[] values) {
        return sampleStddev(values) / Math.sqrt(values.length);
    }

    /** numpy {@code argmax}: index of the largest value, the first one on ties; the first NaN if there is one. */
    public static int argmax(double[] values) {
        requireNonEmpty(values);
        int best = 0;
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                return i;
            }
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void requireNonEmpty(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("values: need at least one value");
        }
    }
}

package dev.claws.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void stderrIsTheSampleStandardErrorOfTheMean() {
        // [1, 0, 0]: mean 1/3, squared deviations 4/9 + 1/9 + 1/9 = 6/9, / (n-1) = 1/3, sqrt / sqrt(3) = 1/3
        double[] v = {1, 0, 0};
        assertEquals(1.0 / 3, Metrics.mean(v), 1e-15);
        assertEquals(Math.sqrt(1.0 / 3), Metrics.sampleStddev(v), 1e-15);
        assertEquals(1.0 / 3, Metrics.meanStderr(v), 1e-15);
        // [1, 0, 1, 1]: sample variance (3 * 1/16 + 9/16) / 3 = 1/4, stderr 0.5 / 2
        assertEquals(0.25, Metrics.meanStderr(new double[] {1, 0, 1, 1}), 1e-15);
        assertTrue(Double.isNaN(Metrics.meanStderr(new double[] {1})));
    }

    @Test
    void argmaxTakesTheFirstOfTiesAndTheFirstNanLikeNumpy() {
        assertEquals(1, Metrics.argmax(new double[] {-3, -1, -1, -2}));
        assertEquals(0, Metrics.argmax(new double[] {-1, -1}));
        assertEquals(2, Metrics.argmax(new double[] {-1, 0, Double.NaN, Double.NaN}));
        assertEquals(1, Metrics.argmax(new double[] {Double.NEGATIVE_INFINITY, -1e300}));
    }
}

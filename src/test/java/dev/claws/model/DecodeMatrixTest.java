package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-row decode kernels against PyTorch's matmul on random shapes (widths that fill whole vectors and widths that
 * need padding): float32 to float32 rounding, bfloat16 and int8 exactly against PyTorch on the rounded / dequantized
 * weights and loosely against the float32 product; split over threads equals one thread.
 */
class DecodeMatrixTest {

    private static final int[][] SHAPES = {{7, 5}, {33, 64}, {100, 130}, {960, 576}, {17, 1000}, {2048, 128}};
    private static final RowParallel ONE = new RowParallel(1);
    private static final RowParallel TWO = new RowParallel(2);
    private static final RowParallel THREE = new RowParallel(3);
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = Engines.newManager(EngineOptions.cpu(2));
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // a little skew per index so rows differ in scale (int8 scales are per row)
            v[i] = (float) ((random.nextDouble() * 2 - 1) * (1 + (i % 7)));
        }
        return v;
    }

    /** PyTorch's W x for weight values w [out, in]. */
    private static float[] torchProduct(NDManager m, float[] w, int out, int in, float[] x) {
        NDArray weight = m.create(w, new Shape(out, in));
        return weight.matMul(m.create(Arrays.copyOf(x, in), new Shape(in, 1))).toFloatArray();
    }

    private static float[] kernel(DecodeMatrix matrix, float[] x, RowParallel threads) {
        float[] padded = Arrays.copyOf(x, DecodeMatrix.paddedWidth(matrix.in()));
        float[] y = new float[matrix.out()];
        threads.run(matrix.out(), 3, (from, to) -> matrix.multiply(padded, y, from, to));
        return y;
    }

    /** max |a - b| / max |b|. */
    private static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    @Test
    void float32MatchesTorch() {
        for (int[] s : SHAPES) {
            try (NDManager m = manager.newSubManager()) {
                float[] w = gaussian(s[0] * s[1], s[0]);
                float[] x = gaussian(s[1], 99);
                NDArray weight = m.create(w, new Shape(s[0], s[1]));
                DecodeMatrix matrix = DecodeMatrix.of(weight, WeightsDtype.FLOAT32);
                assertEquals(0, matrix.ownedBytes(), "float32 is read in place");
                double err = relativeError(kernel(matrix, x, TWO), torchProduct(m, w, s[0], s[1], x));
                assertTrue(err < 1e-5, Arrays.toString(s) + " float32 relative error " + err);
            }
        }
    }

    @Test
    void bfloat16MatchesTorchOnRoundedWeights() {
        for (int[] s : SHAPES) {
            try (NDManager m = manager.newSubManager()) {
                float[] w = gaussian(s[0] * s[1], s[0] + 1);
                float[] x = gaussian(s[1], 98);
                DecodeMatrix matrix = DecodeMatrix.of(m.create(w, new Shape(s[0], s[1])), WeightsDtype.BFLOAT16);
                assertInstanceOf(DecodeMatrix.Bfloat16.class, matrix);
                float[] rounded = new float[w.length];
                for (int i = 0; i < w.length; i++) {
                    rounded[i] = Float.intBitsToFloat(DecodeMatrix.toBfloat16(w[i]) << 16);
                    // rounding to nearest: within half a unit of bfloat16's 8-bit mantissa
                    assertTrue(Math.abs(rounded[i] - w[i]) <= Math.abs(w[i]) / 256, w[i] + " -> " + rounded[i]);
                }
                float[] y = kernel(matrix, x, TWO);
                double exact = relativeError(y, torchProduct(m, rounded, s[0], s[1], x));
                double loose = relativeError(y, torchProduct(m, w, s[0], s[1], x));
                assertTrue(exact < 1e-5, Arrays.toString(s) + " bfloat16 vs torch on rounded weights " + exact);
                assertTrue(loose < 1e-2, Arrays.toString(s) + " bfloat16 vs float32 " + loose);
            }
        }
    }

    @Test
    void int8MatchesTorchOnDequantizedWeights() {
        for (int[] s : SHAPES) {
            try (NDManager m = manager.newSubManager()) {
                float[] w = gaussian(s[0] * s[1], s[0] + 2);
                float[] x = gaussian(s[1], 97);
                DecodeMatrix matrix = DecodeMatrix.of(m.create(w, new Shape(s[0], s[1])), WeightsDtype.INT8);
                // symmetric per-row quantization, as documented in WeightsDtype
                float[] dequantized = new float[w.length];
                for (int r = 0; r < s[0]; r++) {
                    float max = 0;
                    for (int k = 0; k < s[1]; k++) {
                        max = Math.max(max, Math.abs(w[r * s[1] + k]));
                    }
                    float scale = max / 127f;
                    for (int k = 0; k < s[1]; k++) {
                        dequantized[r * s[1] + k] = Math.round(w[r * s[1] + k] / scale) * scale;
                    }
                }
                float[] y = kernel(matrix, x, TWO);
                double exact = relativeError(y, torchProduct(m, dequantized, s[0], s[1], x));
                double loose = relativeError(y, torchProduct(m, w, s[0], s[1], x));
                assertTrue(exact < 1e-5, Arrays.toString(s) + " int8 vs torch on dequantized weights " + exact);
                assertTrue(loose < 5e-2, Arrays.toString(s) + " int8 vs float32 " + loose);
            }
        }
    }

    @Test
    void rowsSplitOverThreadsEqualOneThread() {
        try (NDManager m = manager.newSubManager()) {
            float[] w = gaussian(3000 * 64, 5);
            float[] x = gaussian(64, 6);
            for (WeightsDtype d : WeightsDtype.values()) {
                DecodeMatrix matrix = DecodeMatrix.of(m.create(w, new Shape(3000, 64)), d);
                float[] one = kernel(matrix, x, ONE);
                for (int i = 0; i < 20; i++) {
                    assertTrue(Arrays.equals(one, kernel(matrix, x, THREE)), d + " rows computed by 3 threads differ");
                }
            }
        }
    }

    @Test
    void rowsOfOneFlatBufferEqualRowsOfTheirOwn() {
        int out = 100;
        int in = 130; // padded by every dtype
        int rows = 3;
        try (NDManager m = manager.newSubManager()) {
            float[] w = gaussian(out * in, 7);
            for (WeightsDtype d : WeightsDtype.values()) {
                DecodeMatrix matrix = DecodeMatrix.of(m.create(w, new Shape(out, in)), d);
                int padded = matrix.paddedIn();
                float[] xs = new float[rows * padded];
                float[][] alone = new float[rows][];
                for (int r = 0; r < rows; r++) {
                    float[] x = gaussian(in, 10 + r);
                    System.arraycopy(x, 0, xs, r * padded, in);
                    alone[r] = kernel(matrix, x, ONE);
                }
                float[] ys = new float[rows * out];
                TWO.run(out, 3, (from, to) -> {
                    for (int r = 0; r < rows; r++) {
                        matrix.multiply(xs, r * padded, ys, r * out, from, to);
                    }
                });
                for (int r = 0; r < rows; r++) {
                    assertArrayEquals(alone[r], Arrays.copyOfRange(ys, r * out, (r + 1) * out), d + " row " + r);
                }
            }
        }
    }
}

package dev.claws.model.tools;

import dev.claws.model.DecodeMatrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float32 weight [out, in] copied to a heap array with rows padded to whole vectors, multiplied by one row as
 * {@link DecodeMatrix} does (y[r] = sum_k W[r, k] x[k], four vector accumulators): the heap copy DecodeKernelBenchmark
 * compares with DecodeMatrix's float32 read in place from the engine's memory. The server never holds one.
 */
final class HeapFloat32Matrix {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private final int out;
    private final int paddedIn;
    private final float[] w;

    /** Copies {@code weight} (row-major [out, in]). */
    HeapFloat32Matrix(float[] weight, int out, int in) {
        this.out = out;
        this.paddedIn = (in + LANES - 1) / LANES * LANES;
        w = new float[Math.multiplyExact(out, paddedIn)];
        for (int r = 0; r < out; r++) {
            System.arraycopy(weight, r * in, w, r * paddedIn, in);
        }
    }

    /** Bytes read per product. */
    long bytes() {
        return (long) out * paddedIn * Float.BYTES;
    }

    /** y[r] for rows r in [from, to); x has length >= the padded width with zeros past in. */
    void multiply(float[] x, float[] y, int from, int to) {
        int step = 4 * LANES;
        for (int r = from; r < to; r++) {
            int base = r * paddedIn;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int k = 0;
            for (; k + step <= paddedIn; k += step) {
                a0 = FloatVector.fromArray(F, w, base + k).fma(FloatVector.fromArray(F, x, k), a0);
                a1 = FloatVector.fromArray(F, w, base + k + LANES).fma(FloatVector.fromArray(F, x, k + LANES), a1);
                a2 = FloatVector.fromArray(F, w, base + k + 2 * LANES)
                        .fma(FloatVector.fromArray(F, x, k + 2 * LANES), a2);
                a3 = FloatVector.fromArray(F, w, base + k + 3 * LANES)
                        .fma(FloatVector.fromArray(F, x, k + 3 * LANES), a3);
            }
            for (; k < paddedIn; k += LANES) {
                a0 = FloatVector.fromArray(F, w, base + k).fma(FloatVector.fromArray(F, x, k), a0);
            }
            y[r] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
    }
}

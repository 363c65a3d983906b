package dev.claws.model.tools;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small per-token ops of a one-token decode step on the host, in float32 with the Vector API (the products are
 * {@code DecodeMatrix}'s): RMSNorm, rotary embedding (Hugging Face "rotate_half" pairs (j, j + headDim/2)), SwiGLU, one
 * query head's attention over the cached positions, residual add, bias add, greedy choice. They follow the formulas of
 * {@code DecoderLayer} (transformers' LlamaRMSNorm, apply_rotary_pos_emb, eager attention, SiLU-gated MLP); none
 * allocates.
 */
final class HostOps {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private HostOps() {
    }

    /** Lanes of the float vectors these ops use (scratch rows are padded to multiples of it). */
    static int lanes() {
        return LANES;
    }

    /** out[i] = x[i] * (mean(x[0..n)^2) + eps)^-1/2 * weight[i] for i in [0, n): RMSNorm as transformers computes it. */
    static void rmsNorm(float[] x, float[] weight, float eps, float[] out, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            acc = v.fma(v, acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[i] * x[i];
        }
        float r = (float) (1.0 / Math.sqrt(sum / n + eps));
        i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector.fromArray(F, x, i).mul(r).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = x[i] * r * weight[i];
        }
    }

    /** cos[j] and sin[j] of the angle position * invFreq[j], j in [0, headDim/2), the angle taken in float32. */
    static void ropeAngles(float[] invFreq, int position, float[] cos, float[] sin) {
        for (int j = 0; j < invFreq.length; j++) {
            float angle = position * invFreq[j];
            cos[j] = (float) Math.cos(angle);
            sin[j] = (float) Math.sin(angle);
        }
    }

    /**
     * Rotates {@code heads} heads of width {@code headDim} stored back to back in x from {@code offset}, in place:
     * (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin) for x1 = x[j], x2 = x[j + headDim/2] (transformers' rotate_half).
     */
    static void rope(float[] x, int offset, int heads, int headDim, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            int j = 0;
            for (; j + LANES <= half; j += LANES) {
                FloatVector x1 = FloatVector.fromArray(F, x, base + j);
                FloatVector x2 = FloatVector.fromArray(F, x, base + half + j);
                FloatVector c = FloatVector.fromArray(F, cos, j);
                FloatVector s = FloatVector.fromArray(F, sin, j);
                x1.mul(c).sub(x2.mul(s)).intoArray(x, base + j);
                x2.mul(c).add(x1.mul(s)).intoArray(x, base + half + j);
            }
            for (; j < half; j++) {
                float x1 = x[base + j];
                float x2 = x[base + half + j];
                x[base + j] = x1 * cos[j] - x2 * sin[j];
                x[base + half + j] = x2 * cos[j] + x1 * sin[j];
            }
        }
    }

    /** out[i] = silu(gateUp[i]) * gateUp[inter + i] for i in [0, inter), silu(g) = g / (1 + e^-g). */
    static void swiglu(float[] gateUp, int inter, float[] out) {
        int i = 0;
        for (; i + LANES <= inter; i += LANES) {
            FloatVector g = FloatVector.fromArray(F, gateUp, i);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            silu.mul(FloatVector.fromArray(F, gateUp, inter + i)).intoArray(out, i);
        }
        for (; i < inter; i++) {
            float g = gateUp[i];
            out[i] = (float) (g / (1 + Math.exp(-g))) * gateUp[inter + i];
        }
    }

    /**
     * One query head's attention over n cached positions: scores[p] = (q . k_p) * scale, softmax over p in float32, out =
     * sum_p softmax[p] v_p. Keys and values are rows of {@code stride} floats per position, this head's kv head at
     * {@code kvOffset} within each; q from {@code qOffset}, the result written to out from {@code outOffset}.
     * {@code scores} is scratch of at least n rounded up to whole vectors.
     */
    static void attendHead(float[] q, int qOffset, float[] keys, float[] values, int kvOffset, int stride, int n,
                           int headDim, float scale, float[] scores, float[] out, int outOffset) {
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < n; p++) {
            float s = dot(q, qOffset, keys, p * stride + kvOffset, headDim) * scale;
            scores[p] = s;
            max = Math.max(max, s);
        }
        int padded = (n + LANES - 1) / LANES * LANES;
        for (int p = n; p < padded; p++) {
            scores[p] = Float.NEGATIVE_INFINITY; // e^-inf = 0: whole vectors without a tail loop
        }
        FloatVector sum = FloatVector.zero(F);
        for (int p = 0; p < padded; p += LANES) {
            FloatVector e = FloatVector.fromArray(F, scores, p).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(scores, p);
            sum = sum.add(e);
        }
        float inv = 1f / sum.reduceLanes(VectorOperators.ADD);
        int d = 0;
        for (; d + LANES <= headDim; d += LANES) {
            FloatVector acc = FloatVector.zero(F);
            for (int p = 0; p < n; p++) {
                acc = FloatVector.fromArray(F, values, p * stride + kvOffset + d).fma(FloatVector.broadcast(F, scores[p]), acc);
            }
            acc.mul(inv).intoArray(out, outOffset + d);
        }
        for (; d < headDim; d++) {
            float acc = 0;
            for (int p = 0; p < n; p++) {
                acc += scores[p] * values[p * stride + kvOffset + d];
            }
            out[outOffset + d] = acc * inv;
        }
    }

    private static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /** x[i] += y[i] for i in [0, n) (a residual add, or a bias when y is one). */
    static void add(float[] x, float[] y, int n) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(x, i);
        }
        for (; i < n; i++) {
            x[i] += y[i];
        }
    }

    /** The index of the largest of v[0..n) (the first on ties), as the engine's greedy choice. */
    static int argmax(float[] v, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}

package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.SplittableRandom;

/**
 * Chooses the next token from last-position logits: argmax when greedy; otherwise temperature, then top-k, then
 * top-p (the order transformers applies its warpers), then a draw from the renormalised distribution. Only the
 * candidate set (k values, or the sorted vocabulary for pure top-p) is copied to the host.
 *
 * <p>The logits must be finite: NaN or an infinity from the model ends the generation with a
 * {@link NonFiniteValuesException} naming the step, never a silent draw. The temperature is applied in double
 * precision after subtracting the largest logit, {@code p_i ∝ exp((z_i - max z) / T)}, so every exponent is &lt;= 0
 * and the largest is exactly 0: no overflow for any T &gt; 0, and as T approaches 0 (down to
 * {@link Double#MIN_VALUE}) the distribution becomes the argmax (uniform over tied maxima).
 */
final class Sampler {

    private final GenerationSettings settings;
    private final SplittableRandom random;

    Sampler(GenerationSettings settings) {
        this.settings = settings;
        this.random = settings.seed() == null ? new SplittableRandom() : new SplittableRandom(settings.seed());
    }

    /**
     * @param logits [vocab] or [1, vocab] logits of the last position
     * @param step   index of the token being chosen: 0 after the prefill, n at decode step n (for the error message)
     * @throws NonFiniteValuesException when a logit is NaN or infinite
     */
    long next(NDArray logits, int step) {
        NDArray flat = logits.reshape(-1);
        if (settings.isGreedy()) {
            // one copy of the row and one pass on the host: cheaper than three reductions and three round trips
            return argmaxOfFinite(flat.toFloatArray(), step);
        }
        requireFinite(flat, step);
        long vocab = flat.getShape().get(0);
        float[] values;
        long[] ids;
        // positive scaling keeps the order, so top-k and the sort run on the raw logits
        if (settings.topK() > 0 && settings.topK() < vocab) {
            NDList top = flat.topK(settings.topK(), -1, true, true);
            values = top.get(0).toFloatArray();
            ids = top.get(1).toLongArray();
        } else if (settings.topP() < 1) {
            NDArray order = flat.argSort(-1, false);
            values = flat.get(order).toFloatArray();
            ids = order.toLongArray();
        } else {
            values = flat.toFloatArray();
            ids = null;
        }
        double[] p = softmax(values, settings.temperature());
        int n = p.length;
        if (settings.topP() < 1 && ids != null) {
            // values are sorted descending: keep the shortest prefix whose mass reaches top_p
            double mass = 0;
            int keep = 0;
            while (keep < n) {
                mass += p[keep++];
                if (mass >= settings.topP()) {
                    break;
                }
            }
            n = keep;
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += p[i];
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new NonFiniteValuesException("sampling at " + stepName(step) + ": the candidate probabilities sum to "
                    + total + " at temperature " + settings.temperature());
        }
        double u = random.nextDouble() * total;
        int chosen = n - 1;
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += p[i];
            if (u < acc) {
                chosen = i;
                break;
            }
        }
        return ids == null ? chosen : ids[chosen];
    }

    /** Unnormalised-safe softmax of {@code v / temperature}: exp((v_i - max) / T), then divided by the sum (>= 1). */
    static double[] softmax(float[] v, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double[] p = new double[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            p[i] = Math.exp((v[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < v.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Index of the first largest value (as torch.argmax); fails when a value is NaN or infinite. */
    static long argmaxOfFinite(float[] v, int step) {
        int best = 0;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                requireFinite(v, step);
            }
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void requireFinite(float[] v, int step) {
        float max = Float.NEGATIVE_INFINITY;
        float min = Float.POSITIVE_INFINITY;
        boolean nan = false;
        for (float x : v) {
            nan |= Float.isNaN(x);
            max = Math.max(max, x);
            min = Math.min(min, x);
        }
        throw nonFinite(step, nan ? Float.NaN : max, nan ? Float.NaN : min);
    }

    private static NonFiniteValuesException nonFinite(int step, float max, float min) {
        return new NonFiniteValuesException("the model produced non-finite logits at " + stepName(step)
                + " (largest " + max + ", smallest " + min + "); its weights or activations overflow float32");
    }

    /** Fails when a logit is NaN or infinite; max and min are finite exactly when every value is (NaN propagates). */
    private static void requireFinite(NDArray flat, int step) {
        float max = flat.max().getFloat();
        float min = flat.min().getFloat();
        if (!Float.isFinite(max) || !Float.isFinite(min)) {
            throw nonFinite(step, max, min);
        }
    }

    private static String stepName(int step) {
        return step == 0 ? "the prefill (token 1)" : "decode step " + step + " (token " + (step + 1) + ")";
    }
}

package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.SplittableRandom;

/**
 * Chooses the next token from last-position logits: argmax when greedy; otherwise temperature, then top-k, then
 * top-p (the order transformers applies its warpers), then a draw from the renormalised distribution. Only the
 * candidate set (k values, or the sorted vocabulary for pure top-p) is copied to the host.
 */
final class Sampler {

    private final GenerationSettings settings;
    private final SplittableRandom random;

    Sampler(GenerationSettings settings) {
        this.settings = settings;
        this.random = settings.seed() == null ? new SplittableRandom() : new SplittableRandom(settings.seed());
    }

    long next(NDArray logits) {
        NDArray flat = logits.reshape(-1);
        if (settings.isGreedy()) {
            return flat.argMax().getLong();
        }
        NDArray scaled = flat.div(settings.temperature());
        long vocab = flat.getShape().get(0);
        float[] values;
        long[] ids;
        if (settings.topK() > 0 && settings.topK() < vocab) {
            NDList top = scaled.topK(settings.topK(), -1, true, true);
            values = top.get(0).toFloatArray();
            ids = top.get(1).toLongArray();
        } else if (settings.topP() < 1) {
            NDArray order = scaled.argSort(-1, false);
            values = scaled.get(order).toFloatArray();
            ids = order.toLongArray();
        } else {
            values = scaled.toFloatArray();
            ids = null;
        }
        double[] p = softmax(values);
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

    private static double[] softmax(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double[] p = new double[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            p[i] = Math.exp(v[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < v.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}

package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embedding as Hugging Face computes it ("rotate_half", pairs (j, j + dim/2)), including the LLaMA-3
 * and linear frequency scaling. The inverse frequencies are prepared once; cos/sin are made per step for the
 * positions being fed.
 */
final class Rope {

    private final NDArray invFreq; // [headDim/2], float32, owned by the model's manager
    private final int half;

    Rope(ModelConfig c, NDManager manager) {
        int dim = c.headDim();
        this.half = dim / 2;
        float[] inv = new float[half];
        // base ** (arange(0, dim, 2) / dim) in float32, then 1 / that, as transformers does
        try (NDManager tmp = manager.newSubManager()) {
            NDArray exponents = tmp.arange(0, dim, 2, DataType.INT64).toType(DataType.FLOAT32, false).div(dim);
            float[] base = tmp.full(exponents.getShape(), (float) c.ropeTheta()).pow(exponents).toFloatArray();
            for (int i = 0; i < half; i++) {
                inv[i] = 1.0f / base[i];
            }
        }
        RopeScaling s = c.ropeScaling();
        if (s != null && s.type().equals("linear")) {
            for (int i = 0; i < half; i++) {
                inv[i] = (float) (inv[i] / s.factor());
            }
        } else if (s != null && s.type().equals("llama3")) {
            llama3(inv, s);
        }
        this.invFreq = manager.create(inv);
    }

    /** transformers' _compute_llama3_parameters, elementwise in float32. */
    private static void llama3(float[] inv, RopeScaling s) {
        double oldLen = s.originalMaxPositionEmbeddings();
        double lowWavelen = oldLen / s.lowFreqFactor();
        double highWavelen = oldLen / s.highFreqFactor();
        float factor = (float) s.factor();
        for (int i = 0; i < inv.length; i++) {
            float wavelen = (float) (2 * Math.PI) / inv[i];
            float llama = wavelen > lowWavelen ? inv[i] / factor : inv[i];
            float smooth = (float) ((oldLen / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor()));
            float smoothed = (1 - smooth) * llama / factor + smooth * llama;
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            inv[i] = medium ? smoothed : llama;
        }
    }

    /** The inverse frequencies [headDim/2] (scaling applied): angle of pair j at position p = p * invFreq[j]. */
    float[] inverseFrequencies() {
        return invFreq.toFloatArray();
    }

    /** cos and sin, each [positions.length, headDim], for the given positions, owned by {@code step}. */
    NDList cosSin(NDManager step, long[] positions) {
        NDArray pos = step.create(positions).toType(DataType.FLOAT32, false).reshape(positions.length, 1);
        NDArray freqs = pos.mul(invFreq);
        NDArray emb = freqs.concat(freqs, 1);
        return new NDList(emb.cos(), emb.sin());
    }

    /** x * cos + rotate_half(x) * sin, for x [..., T, headDim] and cos/sin broadcastable to it. */
    NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDArray x1 = x.get("..., :{}", half);
        NDArray x2 = x.get("..., {}:", half);
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}

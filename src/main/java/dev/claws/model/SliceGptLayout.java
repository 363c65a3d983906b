package dev.claws.model;

import java.util.List;

/**
 * Widths of the residual stream of a SliceGPT-sliced model (config key "claws_slicegpt").
 * {@code hiddenSizes} has 2L+1 entries: entry 2i is the width entering layer i (attention input), entry 2i+1 the width
 * between its attention and MLP, entry 2L the width entering the final norm and lm_head. Norms are SliceGPT's RMSN
 * (no weight, sum of squares divided by {@code rmsnDivisor}, the original hidden size, eps {@code rmsnEps}).
 */
public record SliceGptLayout(List<Integer> hiddenSizes, double rmsnEps, int rmsnDivisor) {

    public static final String CONFIG_KEY = "claws_slicegpt";

    public SliceGptLayout {
        hiddenSizes = List.copyOf(hiddenSizes);
        if (hiddenSizes.size() < 3 || hiddenSizes.size() % 2 == 0) {
            throw new IllegalArgumentException("claws_slicegpt.hidden_sizes must have 2*num_hidden_layers+1 entries");
        }
        for (int w : hiddenSizes) {
            if (w <= 0) {
                throw new IllegalArgumentException("claws_slicegpt.hidden_sizes entries must be positive");
            }
        }
        if (rmsnDivisor <= 0 || !(rmsnEps > 0)) {
            throw new IllegalArgumentException("claws_slicegpt.rmsn_divisor and rmsn_eps must be positive");
        }
    }

    /** Uniform slicing to {@code sliced} everywhere except the final width {@code original} (do_slice_head=false). */
    public static SliceGptLayout constant(int layers, int sliced, int original) {
        Integer[] w = new Integer[2 * layers + 1];
        java.util.Arrays.fill(w, sliced);
        w[2 * layers] = original;
        return new SliceGptLayout(List.of(w), 1e-5, original);
    }

    public int layers() {
        return (hiddenSizes.size() - 1) / 2;
    }

    public int embeddingSize() {
        return hiddenSizes.get(0);
    }

    public int attentionInput(int layer) {
        return hiddenSizes.get(2 * layer);
    }

    public int mlpInput(int layer) {
        return hiddenSizes.get(2 * layer + 1);
    }

    public int layerOutput(int layer) {
        return hiddenSizes.get(2 * layer + 2);
    }

    public int headInput() {
        return hiddenSizes.get(hiddenSizes.size() - 1);
    }
}

package dev.claws.train;

import java.util.EnumSet;
import java.util.Set;

/**
 * LoRA hyper-parameters (Hu et al. 2021, as peft implements them): for each targeted projection W [out, in],
 * y = W x + (alpha / rank) * B A dropout(x) with A [rank, in] and B [out, rank].
 *
 * @param rank    r, at least 1
 * @param alpha   lora_alpha; the delta is scaled by alpha / rank
 * @param dropout dropout probability on the adapter's input during training, in [0, 1)
 * @param targets projections carrying an adapter (at least one)
 */
public record LoraConfig(int rank, double alpha, double dropout, Set<LoraTarget> targets) {

    /** LLM-Pruner's recovery settings: rank 8, alpha 16, dropout 0.05, every projection. */
    public static LoraConfig defaults() {
        return new LoraConfig(8, 16, 0.05, EnumSet.allOf(LoraTarget.class));
    }

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be > 0, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("targets must name at least one of q, k, v, o, gate, up, down");
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** alpha / rank. */
    public double scaling() {
        return alpha / rank;
    }
}

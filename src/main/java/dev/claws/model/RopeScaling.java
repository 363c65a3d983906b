package dev.claws.model;

/**
 * RoPE frequency scaling from config.json "rope_scaling" (or transformers 5 "rope_parameters").
 * Supported types: "llama3" (LLaMA-3.1/3.2) and "linear".
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {

    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMax) {
        return new RopeScaling("llama3", factor, lowFreqFactor, highFreqFactor, originalMax);
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling("linear", factor, 0, 0, 0);
    }
}

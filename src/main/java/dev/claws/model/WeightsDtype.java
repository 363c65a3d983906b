package dev.claws.model;

import java.util.Locale;

/**
 * How a model's projection weights are held for one-row decode steps ({@link DecodeMatrix}): float32 (the default,
 * the engine's own float32 weights read in place), bfloat16 (the upper 16 bits of each float32, rounded to nearest
 * even, half the bytes) or int8 weight-only (symmetric, one float32 scale per output channel: w = q * max|w_row| / 127,
 * a quarter of the bytes). Prefill, scoring, evaluation and training always use the float32 engine weights.
 */
public enum WeightsDtype {
    FLOAT32("float32", 4),
    BFLOAT16("bfloat16", 2),
    INT8("int8", 1);

    private final String label;
    private final int bytes;

    WeightsDtype(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    /** The name used in configuration and benchmark output: float32, bfloat16 or int8. */
    public String label() {
        return label;
    }

    /** Bytes per stored weight (scales not counted). */
    public int bytesPerWeight() {
        return bytes;
    }

    /** Parses float32 | bfloat16 | int8 (case-insensitive); IllegalArgumentException naming the allowed values. */
    public static WeightsDtype parse(String name) {
        for (WeightsDtype d : values()) {
            if (d.label.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("weights dtype must be one of float32, bfloat16, int8, got '" + name + "'");
    }
}

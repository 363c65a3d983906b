package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Additive causal masks for a chunk of queries of one sequence whose first fed token sits at {@code start}. */
final class CausalMask {

    /** Added to the score of a hidden key: exp underflows to exactly 0 after the max is subtracted. */
    static final float MASKED = -1e30f;

    private CausalMask() {
    }

    /**
     * [to-from, keys] mask: query i (position start+i) may attend to keys 0 .. start+i; null when no key in range is
     * hidden (e.g. a single decode step over its whole history).
     */
    static NDArray of(NDManager step, int start, int from, int to, int keys) {
        if (start + from + 1 >= keys) {
            return null; // the first query of the chunk already sees every key in range
        }
        int rows = to - from;
        NDArray r = step.arange(start + from, start + to, 1, DataType.INT64).reshape(rows, 1);
        NDArray c = step.arange(0, keys, 1, DataType.INT64).reshape(1, keys);
        return c.gt(r).toType(DataType.FLOAT32, false).mul(MASKED);
    }
}

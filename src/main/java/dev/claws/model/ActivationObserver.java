package dev.claws.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees the residual stream of a forward pass (for calibration statistics such as SliceGPT's PCA). The array is
 * [rows * T, width] and only valid during the call: copy what must outlive it. An observer may also replace the stream
 * the pass continues with ({@link #edit}), as SliceGPT's sequential calibration does when it projects each boundary
 * onto the principal directions it keeps before the next block runs.
 */
@FunctionalInterface
public interface ActivationObserver {

    /** Where in a layer the residual stream is observed. */
    enum Point {
        /** entering layer i (for i = num_hidden_layers: entering the final norm) */
        LAYER_INPUT,
        /** after layer i's attention block, entering its post-attention norm */
        ATTENTION_RESIDUAL
    }

    void observe(int layer, Point point, NDArray residual);

    /**
     * Observes {@code residual} and returns the stream the pass continues with: {@code residual} itself (the default),
     * or a replacement of the same shape computed from it (owned by residual's manager, i.e. with residual as the first
     * operand). Not called at the final boundary's consumer beyond observation: its result is ignored there.
     */
    default NDArray edit(int layer, Point point, NDArray residual) {
        observe(layer, point, residual);
        return residual;
    }
}

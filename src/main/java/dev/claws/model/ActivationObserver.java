package dev.claws.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees the residual stream of a forward pass (for calibration statistics such as SliceGPT's PCA). The array is
 * [T, width] and only valid during the call: copy what must outlive it.
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
}

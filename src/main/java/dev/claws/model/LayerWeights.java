package dev.claws.model;

import ai.djl.ndarray.NDArray;

/**
 * One decoder layer's weights as engine arrays, prepared once at load time: q/k/v fused into one [q+2kv, d] matrix and
 * gate/up fused into one [2I, d] matrix, so each step runs one linear kernel per fused group.
 * Norm weights are null for SliceGPT's weightless RMSN; biases and shortcut matrices are null when absent.
 * Public so that tools can read a layer's weights ({@link DecoderModel#layerWeights}): never close or modify them.
 */
public record LayerWeights(
        NDArray inputNorm,
        NDArray qkv,
        NDArray qkvBias,
        NDArray o,
        NDArray oBias,
        NDArray postNorm,
        NDArray gateUp,
        NDArray gateUpBias,
        NDArray down,
        NDArray downBias,
        NDArray attnShortcut,
        NDArray mlpShortcut,
        int intermediateSize) {
}

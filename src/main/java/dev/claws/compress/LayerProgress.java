package dev.claws.compress;

/**
 * Called before each tensor the checkpoint writer produces: checks for cancellation, and reports progress once per
 * decoder layer (tensors arrive layer by layer) as {@code start + span * layer / layers}.
 */
final class LayerProgress {

    private final CompressionProgress progress;
    private final int layers;
    private final double start;
    private final double span;
    private final String stage;
    private final String verb;
    private int lastLayer = -1;

    LayerProgress(CompressionProgress progress, int layers, double start, double span, String stage, String verb) {
        this.progress = progress;
        this.layers = layers;
        this.start = start;
        this.span = span;
        this.stage = stage;
        this.verb = verb;
    }

    /** The tensor's layer index, or -1 for tensors outside the decoder layers (embedding, head). */
    int before(String tensorName) {
        Cancellation.check();
        int layer = LayerNames.layerOf(tensorName);
        if (layer > lastLayer) {
            lastLayer = layer;
            progress.report(start + span * layer / layers, stage, verb + " layer " + (layer + 1) + " of " + layers);
        }
        return layer;
    }
}

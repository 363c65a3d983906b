package dev.claws.compress;

/** Which activations SliceGPT's PCA of each residual-stream boundary is computed from. */
public enum SliceGptPcaMode {
    /**
     * As the official implementation (microsoft/TransformerCompression {@code rotate_and_slice_sequential}): the
     * embeddings are mean-centred, and boundary k's PCA is computed on the activations of the model already rotated and
     * sliced up to boundary k (every earlier boundary projected onto the directions it keeps). The default.
     */
    SEQUENTIAL,
    /**
     * Every boundary's PCA from the unsliced base model's activations in one calibration pass, embeddings left
     * uncentred (at full width the rotated model then reproduces the base exactly). Cheaper ablation; worse quality.
     */
    SINGLE_PASS
}

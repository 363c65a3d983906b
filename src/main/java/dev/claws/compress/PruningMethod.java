package dev.claws.compress;

/** The structured compression methods claws implements. */
public enum PruningMethod {
    /** Calibration-free: a random subset of every layer's FFN neurons is kept (RandomPruneNet). */
    RANDOM_PRUNE,
    /** Calibration-based: norm fusion, PCA rotation of the residual stream, slicing of the hidden width (SliceGPT). */
    SLICEGPT
}

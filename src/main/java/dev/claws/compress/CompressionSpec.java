package dev.claws.compress;

/**
 * What to compress and how hard.
 *
 * @param method              the compression method
 * @param ratio               in (0, 1): the fraction of FFN neurons removed (random_prune) or of the hidden width
 *                            removed (slicegpt), as in the papers; not the fraction of parameters
 * @param seed                seed of RandomPruneNet's random draw (ignored by slicegpt)
 * @param pruneAttentionHeads extension, random_prune only: also remove whole key/value groups (with their query heads)
 *                            at the same ratio, keeping at least one group
 * @param sliceGptPca         slicegpt only: how each boundary's PCA is calibrated; null means
 *                            {@link SliceGptPcaMode#SEQUENTIAL} (the official algorithm). random_prune takes only null or
 *                            SEQUENTIAL (the default, ignored)
 */
public record CompressionSpec(PruningMethod method, double ratio, long seed, boolean pruneAttentionHeads,
                              SliceGptPcaMode sliceGptPca) {

    public CompressionSpec {
        if (method == null) {
            throw new IllegalArgumentException("method is required (random_prune or slicegpt)");
        }
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("ratio must be in (0, 1), got " + ratio);
        }
        if (pruneAttentionHeads && method != PruningMethod.RANDOM_PRUNE) {
            throw new IllegalArgumentException("pruneAttentionHeads is only supported with method random_prune");
        }
        if (sliceGptPca == null) {
            sliceGptPca = SliceGptPcaMode.SEQUENTIAL;
        }
        if (sliceGptPca != SliceGptPcaMode.SEQUENTIAL && method != PruningMethod.SLICEGPT) {
            throw new IllegalArgumentException("sliceGptPca " + sliceGptPca + " is only supported with method slicegpt");
        }
    }

    /** A spec with the default SliceGPT PCA ({@link SliceGptPcaMode#SEQUENTIAL}). */
    public CompressionSpec(PruningMethod method, double ratio, long seed, boolean pruneAttentionHeads) {
        this(method, ratio, seed, pruneAttentionHeads, null);
    }

    public static CompressionSpec randomPrune(double ratio, long seed) {
        return new CompressionSpec(PruningMethod.RANDOM_PRUNE, ratio, seed, false);
    }

    public static CompressionSpec sliceGpt(double ratio) {
        return new CompressionSpec(PruningMethod.SLICEGPT, ratio, 0, false, SliceGptPcaMode.SEQUENTIAL);
    }

    public static CompressionSpec sliceGpt(double ratio, SliceGptPcaMode pca) {
        return new CompressionSpec(PruningMethod.SLICEGPT, ratio, 0, false, pca);
    }
}

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
 */
public record CompressionSpec(CompressionMethod method, double ratio, long seed, boolean pruneAttentionHeads) {

    public CompressionSpec {
        if (method == null) {
            throw new IllegalArgumentException("method is required (random_prune or slicegpt)");
        }
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("ratio must be in (0, 1), got " + ratio);
        }
        if (pruneAttentionHeads && method != CompressionMethod.RANDOM_PRUNE) {
            throw new IllegalArgumentException("pruneAttentionHeads is only supported with method random_prune");
        }
    }

    public static CompressionSpec randomPrune(double ratio, long seed) {
        return new CompressionSpec(CompressionMethod.RANDOM_PRUNE, ratio, seed, false);
    }

    public static CompressionSpec sliceGpt(double ratio) {
        return new CompressionSpec(CompressionMethod.SLICEGPT, ratio, 0, false);
    }
}

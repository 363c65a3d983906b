package dev.claws.compress;

/** Progress callback of a compression; fraction in [0, 1], stage a short word, message one human-readable line. */
@FunctionalInterface
public interface CompressionProgress {

    CompressionProgress NONE = (fraction, stage, message) -> { };

    void report(double fraction, String stage, String message);
}

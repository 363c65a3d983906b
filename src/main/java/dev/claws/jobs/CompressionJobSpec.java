package dev.claws.jobs;

import dev.claws.compress.CompressionSpec;

/**
 * A validated compression request: compress {@code base} into a new variant {@code name}.
 *
 * @param calibration the calibration set for SliceGPT; null for methods without calibration
 */
public record CompressionJobSpec(ModelRef base, String name, CompressionSpec compression, CalibrationSpec calibration) {
}

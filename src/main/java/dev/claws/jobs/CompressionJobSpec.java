package dev.claws.jobs;

import dev.claws.compress.CompressionSpec;
import dev.claws.store.JobEntity;
import java.util.List;

/**
 * A validated compression request: compress {@code base} into a new variant {@code name}.
 *
 * @param calibration the calibration set for SliceGPT; null for methods without calibration
 */
public record CompressionJobSpec(ModelRef base, String name, CompressionSpec compression, CalibrationSpec calibration)
        implements JobSpec {

    @Override
    public JobEntity.Kind kind() {
        return JobEntity.Kind.COMPRESSION;
    }

    @Override
    public List<ModelRef> inputs() {
        return List.of(base);
    }
}

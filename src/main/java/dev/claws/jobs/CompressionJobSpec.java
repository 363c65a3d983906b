package dev.claws.jobs;

import dev.claws.compress.CompressionSpec;
import dev.claws.compress.PruningMethod;
import dev.claws.store.JobEntity;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;

/**
 * A validated compression request: compress {@code base} into a new variant {@code name}.
 *
 * @param calibration the calibration set for SliceGPT; null for methods without calibration
 */
public record CompressionJobSpec(ModelRef base, String name, CompressionSpec compression, CalibrationSpec calibration)
        implements JobSpec {

    /**
     * The name a compressed variant gets when none is given: "&lt;base&gt;-&lt;method&gt;-r&lt;ratio in percent&gt;", then
     * "-s&lt;seed&gt;" unless the seed is 0 (e.g. smollm2-random_prune-r30-s2); the seed is read unsigned, as on the wire.
     */
    public static String defaultName(String base, PruningMethod method, double ratio, long seed) {
        String percent = new BigDecimal(Double.toString(ratio * 100)).round(new MathContext(6)).stripTrailingZeros()
                .toPlainString();
        return base + "-" + method.name().toLowerCase(Locale.ROOT) + "-r" + percent
                + (seed == 0 ? "" : "-s" + Long.toUnsignedString(seed));
    }

    @Override
    public JobEntity.Kind kind() {
        return JobEntity.Kind.COMPRESSION;
    }

    @Override
    public List<ModelRef> inputs() {
        return List.of(base);
    }
}

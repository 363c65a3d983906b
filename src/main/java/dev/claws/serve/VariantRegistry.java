package dev.claws.serve;

import dev.claws.model.EngineOptions;
import dev.claws.model.LanguageModel;
import dev.claws.model.ModelConfig;
import dev.claws.model.gguf.GgufImporter;
import dev.claws.model.io.CheckpointException;
import dev.claws.model.io.FileTrees;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import dev.claws.config.ServeConfig;
import org.jboss.logging.Logger;

/**
 * The variants resident in memory, addressed by name: the base model and any number of variants at once, within the
 * memory budget (claws.serve.memory-budget-bytes). Loading and unloading are serialised; inference only reads the
 * map, so it never waits for a load.
 */
@ApplicationScoped
public class VariantRegistry {

    private static final Logger LOG = Logger.getLogger(VariantRegistry.class);

    private final VariantRepository variants;
    private final ServingMetrics metrics;
    private final long memoryBudgetBytes;
    private final int queueCapacity;
    private final int concurrency;
    private final int maxBatchSize;
    private final EngineOptions engine;
    private final DefaultModelSource defaultModel;
    private final Map<String, ResidentVariant> resident = new ConcurrentHashMap<>();
    private final Object changes = new Object();
    private final List<Runnable> residencyListeners = new CopyOnWriteArrayList<>();

    @Inject
    public VariantRegistry(VariantRepository variants, ServingMetrics metrics,
                           ServeConfig serve, EngineOptions engine, DefaultModelSource defaultModel) {
        this.variants = variants;
        this.metrics = metrics;
        this.memoryBudgetBytes = serve.memoryBudgetBytes();
        this.queueCapacity = serve.queueCapacity();
        this.concurrency = serve.concurrency();
        this.maxBatchSize = serve.maxBatchSize();
        this.engine = engine;
        this.defaultModel = defaultModel;
    }

    /** Name of the default base model: the variant a request without a variant name runs on. */
    public String defaultVariant() {
        return defaultModel.name();
    }

    public Optional<ResidentVariant> resident(String name) {
        return Optional.ofNullable(resident.get(name));
    }

    /**
     * Whether the server can serve what it promises: the default model ({@link #defaultVariant()}) is registered and
     * resident, so a request without a variant name is answered. False while it loads at start-up, when it could not
     * be loaded, and after it is unloaded.
     */
    public boolean ready() {
        return resident.containsKey(defaultVariant());
    }

    /**
     * Calls {@code listener} after every change of the resident set (a load, an unload), on the thread that made it.
     *
     * @return removes the listener again
     */
    public Runnable onResidencyChange(Runnable listener) {
        residencyListeners.add(listener);
        return () -> residencyListeners.remove(listener);
    }

    private void residencyChanged() {
        for (Runnable listener : residencyListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "a residency listener failed");
            }
        }
    }

    /**
     * The resident variant of that name.
     *
     * @throws ServeException UNKNOWN_VARIANT when no such variant is registered, WRONG_STATE when it is not loaded
     */
    public ResidentVariant require(String name) {
        ResidentVariant v = resident.get(name);
        if (v != null) {
            return v;
        }
        if (row(name).isEmpty()) {
            throw unknown(name);
        }
        throw new ServeException(ServeException.Kind.WRONG_STATE, "variant '" + name
                + "' is not loaded; load it with Variants/LoadVariant first");
    }

    /** Names of the resident variants, sorted. */
    public java.util.List<String> residentNames() {
        return resident.keySet().stream().sorted().toList();
    }

    /** Bytes held by the resident variants. */
    public long usedBytes() {
        return resident.values().stream().mapToLong(ResidentVariant::memoryBytes).sum();
    }

    public long memoryBudgetBytes() {
        return memoryBudgetBytes;
    }

    /**
     * Makes a registered variant resident; a variant already loaded is returned as it is.
     *
     * @throws ServeException UNKNOWN_VARIANT, OVERLOADED (memory budget), WRONG_STATE (checkpoint unusable)
     */
    public ResidentVariant load(String name) {
        synchronized (changes) {
            ResidentVariant loaded = resident.get(name);
            if (loaded != null) {
                return loaded;
            }
            VariantEntity row = row(name).orElseThrow(() -> unknown(name));
            // a registered variant whose stored checkpoint is unusable: the variant's state, not the request, is wrong
            return admit(name, Path.of(row.path), new Unusable(ServeException.Kind.WRONG_STATE,
                    "the checkpoint of variant '" + name + "' at " + row.path + " cannot be loaded: "));
        }
    }

    /**
     * Registers the checkpoint directory {@code path} as a new base model named {@code name} and loads it; when
     * {@code name} is already registered with the same directory, just loads it. A .gguf file is first imported
     * into a float32 checkpoint under {@code <claws.data-dir>/imported} (reused while the file is unchanged), and that
     * directory is what gets registered.
     *
     * @throws ServeException BAD_INPUT when the name is registered with another directory or the checkpoint is
     *                        unusable, OVERLOADED when the memory budget would be exceeded
     */
    public ResidentVariant registerAndLoad(String name, Path path) {
        Path checkpoint = GgufImporter.isGguf(path) ? imported(path) : path;
        synchronized (changes) {
            Optional<VariantEntity> existing = row(name);
            if (existing.isPresent()) {
                Path stored = Path.of(existing.get().path).toAbsolutePath().normalize();
                if (!stored.equals(checkpoint.toAbsolutePath().normalize())) {
                    throw new ServeException(ServeException.Kind.BAD_INPUT, "name '" + name
                            + "' is already registered with path " + existing.get().path + ", not " + checkpoint);
                }
                return load(name);
            }
            if (!Files.isRegularFile(checkpoint.resolve(ModelConfig.FILE_NAME))) {
                throw new ServeException(ServeException.Kind.BAD_INPUT, "path " + checkpoint
                        + " is not a checkpoint directory (no " + ModelConfig.FILE_NAME + ")");
            }
            ResidentVariant loaded = admit(name, checkpoint, new Unusable(ServeException.Kind.BAD_INPUT,
                    "path " + path + " cannot be loaded: "));
            try {
                VariantEntity row = baseModelRow(name, checkpoint);
                QuarkusTransaction.requiringNew().run(() -> variants.persist(row));
            } catch (RuntimeException e) {
                resident.remove(name);
                loaded.close();
                residencyChanged();
                throw e;
            }
            return loaded;
        }
    }

    /** The checkpoint imported from a .gguf file (once per file content; later calls reuse it). */
    private Path imported(Path gguf) {
        try {
            return GgufImporter.cached(gguf, defaultModel.importCache());
        } catch (CheckpointException e) {
            throw new ServeException(ServeException.Kind.BAD_INPUT, "path " + gguf + " cannot be imported: "
                    + e.getMessage(), e);
        }
    }

    /** Frees a variant's memory; returns false when it was not loaded. Queued requests fail, running ones stop. */
    public boolean unload(String name) {
        synchronized (changes) {
            ResidentVariant v = resident.remove(name);
            if (v == null) {
                return false;
            }
            v.close();
            LOG.infof("unloaded variant %s (%d bytes freed)", name, v.memoryBytes());
            residencyChanged();
            return true;
        }
    }

    /**
     * Runs {@code action} (e.g. deleting the variant) while the variant is guaranteed not to be loaded.
     *
     * @throws ServeException WRONG_STATE when it is loaded
     */
    public <T> T whileUnloaded(String name, Supplier<T> action) {
        synchronized (changes) {
            if (resident.containsKey(name)) {
                throw new ServeException(ServeException.Kind.WRONG_STATE, "variant '" + name
                        + "' is loaded; unload it first (Variants/UnloadVariant)");
            }
            return action.get();
        }
    }

    /**
     * How {@link #admit} reports a checkpoint it cannot load: with which kind, and the words that say which
     * checkpoint it was (they precede the cause's message).
     */
    private record Unusable(ServeException.Kind kind, String prefix) {

        ServeException because(String message, Throwable cause) {
            return new ServeException(kind, prefix + message, cause);
        }
    }

    /** Loads a checkpoint if the memory budget allows it and puts it in the map. Caller holds {@code changes}. */
    private ResidentVariant admit(String name, Path path, Unusable unusable) {
        if (!Files.isRegularFile(path.resolve(ModelConfig.FILE_NAME))) {
            throw unusable.because("path " + path + " is not a checkpoint directory (no " + ModelConfig.FILE_NAME
                    + ")", null);
        }
        long needed;
        try {
            needed = MemoryEstimate.of(path, Math.min(maxBatchSize, concurrency)).totalBytes();
        } catch (RuntimeException e) {
            throw unusable.because(e.getMessage(), e);
        }
        long used = usedBytes();
        if (used + needed > memoryBudgetBytes) {
            String residents = resident.values().stream().collect(Collectors.toMap(ResidentVariant::name,
                    ResidentVariant::memoryBytes, (a, b) -> a, TreeMap::new)).toString();
            throw new ServeException(ServeException.Kind.OVERLOADED, "loading variant '" + name + "' needs " + needed
                    + " bytes but only " + Math.max(0, memoryBudgetBytes - used) + " of the memory budget of "
                    + memoryBudgetBytes + " bytes (claws.serve.memory-budget-bytes) are free; resident: " + residents
                    + "; unload a variant first");
        }
        LanguageModel model;
        try {
            model = LanguageModel.load(path, engine);
        } catch (RuntimeException e) {
            throw unusable.because(e.getMessage(), e);
        }
        VariantScheduler scheduler = new VariantScheduler(name, concurrency, queueCapacity);
        ResidentVariant v;
        try {
            v = new ResidentVariant(name, path, model, needed, scheduler, metrics,
                    Math.min(maxBatchSize, concurrency), () -> memoryBudgetBytes - usedBytes());
        } catch (RuntimeException e) {
            scheduler.close(0);
            model.close();
            throw unusable.because(e.getMessage(), e);
        }
        metrics.watchQueue(name, v::queueDepth);
        resident.put(name, v);
        LOG.infof("loaded variant %s from %s (%d bytes; %d of %d budget bytes in use)", name, path, needed,
                usedBytes(), memoryBudgetBytes);
        residencyChanged();
        return v;
    }

    private Optional<VariantEntity> row(String name) {
        return QuarkusTransaction.requiringNew().call(() -> variants.findByName(name));
    }

    private static ServeException unknown(String name) {
        return new ServeException(ServeException.Kind.UNKNOWN_VARIANT, "variant '" + name + "' does not exist");
    }

    /** A new (not yet stored) row registering the checkpoint at {@code path} as a base model. */
    static VariantEntity baseModelRow(String name, Path path) {
        VariantEntity row = new VariantEntity();
        row.name = name;
        row.method = VariantEntity.Method.NONE;
        row.parameterCount = ModelConfig.load(path).parameterCount();
        row.parameterRatio = 0.0;
        try {
            row.sizeBytes = FileTrees.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + path, e);
        }
        row.path = path.toString();
        return row;
    }

    @PreDestroy
    void unloadAll() {
        synchronized (changes) {
            for (String name : resident.keySet().toArray(String[]::new)) {
                ResidentVariant v = resident.remove(name);
                v.close();
            }
            residencyChanged();
        }
    }
}

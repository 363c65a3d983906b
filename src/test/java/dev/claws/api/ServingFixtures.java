package dev.claws.api;

import dev.claws.compress.CompressionOutcome;
import dev.claws.compress.CompressionSpec;
import dev.claws.compress.Compressor;
import dev.claws.model.EngineOptions;
import dev.claws.model.LanguageModel;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** Shared pieces of the serving tests: the bundled model called directly, and pruned variants registered by hand. */
final class ServingFixtures {

    static final Path TINY = Path.of("models/claws-tiny");
    static final String BASE = "claws-tiny";
    /** A prompt whose greedy continuation on claws-tiny runs far without the end-of-sequence token. */
    static final String PROMPT = "The history of the city begins";

    private static LanguageModel engine;

    private ServingFixtures() {
    }

    /** claws-tiny loaded directly through the model layer, outside the server. */
    static synchronized LanguageModel engine() {
        if (engine == null) {
            engine = LanguageModel.load(TINY, EngineOptions.cpu());
        }
        return engine;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Writes a RandomPruneNet copy of claws-tiny (seed 11) under {@code <data-dir>/variants/<name>} and registers it as a
     * RANDOM_PRUNE variant of claws-tiny (not loaded).
     */
    static Path registerPrunedVariant(VariantRepository variants, Path dataDir, String name, double ratio) {
        CompressionOutcome written = Compressor.compress(TINY, dataDir.resolve("variants").resolve(name),
                CompressionSpec.randomPrune(ratio, 11), List.of(), EngineOptions.cpu(), null);
        Path dir = written.directory();
        QuarkusTransaction.requiringNew().run(() -> {
            VariantEntity v = new VariantEntity();
            v.name = name;
            v.base = BASE;
            v.parent = BASE;
            v.method = VariantEntity.Method.RANDOM_PRUNE;
            v.ratio = ratio;
            v.parameterCount = written.parameterCount();
            v.sizeBytes = written.bytes();
            v.path = dir.toString();
            variants.persist(v);
        });
        return dir;
    }
}

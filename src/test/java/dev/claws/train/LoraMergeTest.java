package dev.claws.train;

import ai.djl.ndarray.NDManager;
import dev.claws.compress.PruningMethod;
import dev.claws.compress.CompressionSpec;
import dev.claws.compress.Compressor;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.claws.model.LinearMaps;

/**
 * The merged checkpoint (W + alpha/r B A) computes what the base plus adapters compute, for a base model and for a
 * RandomPruneNet variant (per-layer FFN widths); the peft-format adapter reads back as written.
 */
class LoraMergeTest {

    private static final Path TINY = Path.of("models/claws-tiny");

    @TempDir
    Path tmp;

    @Test
    void mergedBaseMatchesAdapters() throws Exception {
        check(TINY, EnumSet.allOf(LoraTarget.class));
    }

    @Test
    void mergedRandomPruneVariantMatchesAdapters() throws Exception {
        Path pruned = tmp.resolve("rp");
        Compressor.compress(TINY, pruned, new CompressionSpec(PruningMethod.RANDOM_PRUNE, 0.5, 3, false), List.of(),
                EngineOptions.cpu(2), (f, s, m) -> { });
        check(pruned, EnumSet.of(LoraTarget.K, LoraTarget.GATE, LoraTarget.DOWN));
    }

    private void check(Path source, EnumSet<LoraTarget> targets) {
        LoraConfig config = new LoraConfig(4, 8, 0, targets);
        long[] ids = new long[24];
        SplittableRandom random = new SplittableRandom(5);
        Path merged = tmp.resolve(source.getFileName() + "-merged");
        Path adapterDir = tmp.resolve(source.getFileName() + "-adapter");
        float[] expected;
        try (DecoderModel model = DecoderModel.load(source, EngineOptions.cpu(2));
             NDManager root = NDManager.newBaseManager("PyTorch");
             LoraAdapters adapters = LoraAdapters.initialise(model, config, 1, root)) {
            for (int j = 0; j < ids.length; j++) {
                ids[j] = random.nextInt(model.config().vocabSize());
            }
            for (int s = 0; s < adapters.sites().size(); s++) { // a non-zero B so the merge matters
                float[] b = new float[(int) (adapters.sites().get(s).out() * config.rank())];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) random.nextGaussian() * 0.2f;
                }
                adapters.set(s, adapters.a(s), b);
            }
            try (NDManager step = root.newSubManager()) {
                expected = model.logits(step, ids, 1, adapters).toFloatArray();
                float[] base = model.logits(step, ids, 1, LinearMaps.DENSE).toFloatArray();
                double diff = 0;
                for (int i = 0; i < base.length; i++) {
                    diff = Math.max(diff, Math.abs(base[i] - expected[i]));
                }
                assertTrue(diff > 1e-2, "the adapters change the logits (by " + diff + ")");
            }
            LoraMerge.write(source, adapters, merged);
            PeftAdapterFormat.write(adapterDir, adapters, "claws-tiny");
            assertEquals(config, PeftAdapterFormat.readConfig(adapterDir));
            try (LoraAdapters back = LoraAdapters.initialise(model, config, 2, root)) {
                PeftAdapterFormat.readWeights(adapterDir, back);
                for (int s = 0; s < adapters.sites().size(); s++) {
                    assertArrayEquals(adapters.a(s), back.a(s));
                    assertArrayEquals(adapters.b(s), back.b(s));
                }
            }
        }
        assertTrue(Files.exists(merged.resolve("tokenizer.json")));
        try (DecoderModel model = DecoderModel.load(merged, EngineOptions.cpu(2));
             NDManager root = NDManager.newBaseManager("PyTorch");
             NDManager step = root.newSubManager()) {
            float[] got = model.logits(step, ids, 1, LinearMaps.DENSE).toFloatArray();
            assertArrayEquals(expected, got, 1e-4f);
        }
    }
}

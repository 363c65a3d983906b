package dev.claws.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.claws.model.DecoderModel;
import dev.claws.model.Engines;
import dev.claws.model.ModelConfig;
import dev.claws.model.io.CheckpointWriter;
import dev.claws.model.io.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomPruneNetTest {

    @Test
    void halfTheNeuronsAreKeptAndTheResultLoadsAndGenerates(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("pruned");
        CompressionOutcome o = Compressor.compress(TestModels.TINY, out, CompressionSpec.randomPrune(0.5, 42),
                List.of(), TestModels.CPU, null);
        ModelConfig base = ModelConfig.load(TestModels.TINY);
        ModelConfig pruned = ModelConfig.load(out);
        for (int i = 0; i < base.numHiddenLayers(); i++) {
            assertEquals((int) (0.5 * base.intermediateSize(i)), pruned.intermediateSize(i));
        }
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
        assertEquals(192, json.get("intermediate_size").getAsInt());
        assertFalse(json.has(ModelConfig.INTERMEDIATE_SIZES_KEY), "uniform pruning keeps plain intermediate_size");
        // parameter count: 3 d (I - I') fewer per layer
        long expected = base.parameterCount() - (long) base.numHiddenLayers() * 3 * base.hiddenSize() * (384 - 192);
        assertEquals(expected, o.parameterCount());
        assertEquals(Files.size(out.resolve("model.safetensors")), o.bytes());
        assertEquals(out, o.directory());
        assertArrayEquals(TestModels.bytes(TestModels.TINY.resolve("tokenizer.json")),
                TestModels.bytes(out.resolve("tokenizer.json")));
        try (DecoderModel m = DecoderModel.load(out, TestModels.CPU)) {
            assertEquals(8, m.generate(TestModels.PROMPT, TestModels.GREEDY).tokenIds().length);
            assertEquals(DType.F32, m.storedDType());
        }
    }

    @Test
    void theSeedDecidesTheDraw(@TempDir Path tmp) {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        Compressor.compress(TestModels.TINY, a, CompressionSpec.randomPrune(0.3, 7), null, TestModels.CPU, null);
        Compressor.compress(TestModels.TINY, b, CompressionSpec.randomPrune(0.3, 7), null, TestModels.CPU, null);
        Compressor.compress(TestModels.TINY, c, CompressionSpec.randomPrune(0.3, 8), null, TestModels.CPU, null);
        byte[] wa = TestModels.bytes(a.resolve("model.safetensors"));
        assertArrayEquals(wa, TestModels.bytes(b.resolve("model.safetensors")));
        assertFalse(java.util.Arrays.equals(wa, TestModels.bytes(c.resolve("model.safetensors"))));
    }

    @Test
    void drawIsSortedDistinctAndUniformlySpread() {
        java.util.Random rnd = new java.util.Random(1);
        int[] counts = new int[100];
        for (int rep = 0; rep < 2000; rep++) {
            int[] k = RandomPruneNet.draw(rnd, 100, 30);
            assertEquals(30, k.length);
            for (int i = 0; i < k.length; i++) {
                assertTrue(i == 0 || k[i] > k[i - 1], "sorted and distinct");
                counts[k[i]]++;
            }
        }
        for (int n : counts) {
            // expected 600 per index; a 5-sigma band
            assertTrue(Math.abs(n - 600) < 5 * Math.sqrt(600 * 0.7), "index drawn " + n + " times");
        }
    }

    /** Removing neurons is the same function as zeroing their down_proj columns in the base. */
    @Test
    void pruningEqualsMaskingTheDroppedNeurons(@TempDir Path tmp) {
        checkMaskEquivalence(tmp, TestModels.TINY, 0.5, false);
    }

    /** A LLaMA base with attention and MLP biases, sharded: gate/up bias entries go with their neurons. */
    @Test
    void llamaWithBiasesIsPrunedConsistently(@TempDir Path tmp) {
        checkMaskEquivalence(tmp, TestModels.fixture("llama-fp32-bias-sharded"), 0.3, false);
    }

    /** Extension: whole key/value groups with their query heads are removed (same as zeroing their o_proj columns). */
    @Test
    void attentionGroupsArePrunedWithTheirQueryHeads(@TempDir Path tmp) {
        Path out = checkMaskEquivalence(tmp, TestModels.TINY, 0.5, true);
        ModelConfig c = ModelConfig.load(out);
        assertEquals(1, c.numKeyValueHeads());
        assertEquals(2, c.numAttentionHeads());
        assertEquals(32, c.headDim());
    }

    @Test
    void theBaseDtypeIsKept(@TempDir Path tmp) {
        Path out = tmp.resolve("bf16");
        Compressor.compress(TestModels.fixture("qwen2-bf16-untied"), out, CompressionSpec.randomPrune(0.5, 1), null,
                TestModels.CPU, null);
        try (DecoderModel m = DecoderModel.load(out, TestModels.CPU)) {
            assertEquals(DType.BF16, m.storedDType());
            assertEquals("bfloat16", m.config().torchDtype());
            assertEquals(48, m.config().intermediateSize(0));
        }
    }

    private static Path checkMaskEquivalence(Path tmp, Path base, double ratio, boolean heads) {
        Path out = tmp.resolve("pruned");
        CompressionSpec spec = new CompressionSpec(PruningMethod.RANDOM_PRUNE, ratio, 3, heads);
        Compressor.compress(base, out, spec, null, TestModels.CPU, null);
        ModelConfig config = ModelConfig.load(base);
        RandomPruneNet.Plan plan = RandomPruneNet.plan(config, ratio, 3, heads);
        Path masked = tmp.resolve("masked");
        try (NDManager m = Engines.newManager(TestModels.CPU)) {
            Map<String, NDArray> t = TestModels.tensors(base, m);
            for (int i = 0; i < config.numHiddenLayers(); i++) {
                String p = "model.layers." + i + ".";
                float[] keep = new float[config.intermediateSize(i)];
                for (int k : plan.neurons().get(i)) {
                    keep[k] = 1;
                }
                t.put(p + "mlp.down_proj.weight", t.get(p + "mlp.down_proj.weight").mul(m.create(keep)));
                if (heads) {
                    int span = config.kvGroups() * config.headDim();
                    float[] keepQ = new float[config.numAttentionHeads() * config.headDim()];
                    for (int g : plan.groups().get(i)) {
                        java.util.Arrays.fill(keepQ, g * span, (g + 1) * span, 1f);
                    }
                    t.put(p + "self_attn.o_proj.weight", t.get(p + "self_attn.o_proj.weight").mul(m.create(keepQ)));
                }
            }
            CheckpointWriter.write(masked, config::write, t, DType.F32, 0, Map.of());
        }
        float[][] expected = TestModels.logits(masked, TestModels.PROMPT);
        float[][] actual = TestModels.logits(out, TestModels.PROMPT);
        double diff = TestModels.maxAbsDiff(expected, actual);
        System.out.printf("random_prune r=%.1f heads=%s on %s: max-abs logits diff vs masked base %.2e%n", ratio,
                heads, base.getFileName(), diff);
        assertTrue(diff < 1e-4, "pruned model differs from the masked base by " + diff);
        return out;
    }
}

package dev.claws.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.claws.model.DecoderModel;
import dev.claws.model.Engines;
import dev.claws.model.io.CheckpointWriter;
import dev.claws.model.io.DType;
import dev.claws.model.ModelConfig;
import dev.claws.model.SliceGptLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SliceGptTest {

    /** Norm fusion + PCA rotations without slicing is an exact re-parametrisation: same logits as the base. */
    @Test
    void rotationWithoutSlicingReproducesClawsTiny(@TempDir Path tmp) {
        checkRotationOnly(tmp, TestModels.TINY, 2048);
    }

    @Test
    void rotationWithoutSlicingReproducesAnUntiedLlama(@TempDir Path tmp) {
        checkRotationOnly(tmp, TestModels.fixture("llama-fp32-llama3rope-untied"), 320);
    }

    /** o_proj and down_proj biases are rotated with their weights; q/k/v and gate/up biases stay. */
    @Test
    void rotationWithoutSlicingReproducesALlamaWithBiases(@TempDir Path tmp) {
        checkRotationOnly(tmp, TestModels.fixture("llama-fp32-bias-sharded"), 320);
    }

    private static void checkRotationOnly(Path tmp, Path base, int vocab) {
        Path out = tmp.resolve("rotated");
        CompressionOutcome o = Compressor.compress(base, out, CompressionSpec.sliceGpt(0.5),
                TestModels.randomTokens(4, 24, vocab, 5), TestModels.CPU, null, true);
        ModelConfig c = ModelConfig.load(out);
        assertNotNull(c.sliceGpt());
        assertTrue(c.sliceGpt().hiddenSizes().stream().allMatch(w -> w == c.hiddenSize()));
        float[][] expected = TestModels.logits(base, TestModels.PROMPT);
        float[][] actual = TestModels.logits(out, TestModels.PROMPT);
        double diff = TestModels.maxAbsDiff(expected, actual);
        System.out.printf("slicegpt rotation only on %s: max-abs logits diff vs base %.2e%n", base.getFileName(), diff);
        assertTrue(diff < 1e-4, "rotated model differs from the base by " + diff);
        try (DecoderModel b = DecoderModel.load(base, TestModels.CPU);
             DecoderModel r = DecoderModel.load(out, TestModels.CPU)) {
            assertArrayEquals(b.generate(TestModels.PROMPT, TestModels.GREEDY).tokenIds(),
                    r.generate(TestModels.PROMPT, TestModels.GREEDY).tokenIds());
        }
        assertEquals(ModelConfig.load(out).parameterCount(), o.parameterCount());
    }

    @Test
    void slicingToSeventyPercentHasTheDocumentedShapesAndGenerates(@TempDir Path tmp) {
        Path out = tmp.resolve("sliced");
        CompressionOutcome o = Compressor.compress(TestModels.TINY, out, CompressionSpec.sliceGpt(0.3),
                TestModels.randomTokens(4, 32, 2048, 9), TestModels.CPU, null);
        ModelConfig base = ModelConfig.load(TestModels.TINY);
        ModelConfig c = ModelConfig.load(out);
        int d = 128;
        int w = 88; // int(0.7 * 128) = 89, rounded down to a multiple of 8
        List<Integer> widths = new ArrayList<>(Collections.nCopies(2 * 4, w));
        widths.add(d);
        SliceGptLayout layout = c.sliceGpt();
        assertEquals(widths, layout.hiddenSizes());
        assertEquals(d, layout.rmsnDivisor());
        assertEquals(base.rmsNormEps(), layout.rmsnEps());
        assertEquals(d, c.hiddenSize());
        assertFalse(c.tieWordEmbeddings());

        Map<String, long[]> s = TestModels.shapes(out);
        assertArrayEquals(new long[] {2048, w}, s.get("model.embed_tokens.weight"));
        for (int i = 0; i < 4; i++) {
            String p = "model.layers." + i + ".";
            int next = i == 3 ? d : w;
            assertArrayEquals(new long[] {128, w}, s.get(p + "self_attn.q_proj.weight"));
            assertArrayEquals(new long[] {64, w}, s.get(p + "self_attn.k_proj.weight"));
            assertArrayEquals(new long[] {64, w}, s.get(p + "self_attn.v_proj.weight"));
            assertArrayEquals(new long[] {128}, s.get(p + "self_attn.q_proj.bias"));
            assertArrayEquals(new long[] {w, 128}, s.get(p + "self_attn.o_proj.weight"));
            assertArrayEquals(new long[] {384, w}, s.get(p + "mlp.gate_proj.weight"));
            assertArrayEquals(new long[] {384, w}, s.get(p + "mlp.up_proj.weight"));
            assertArrayEquals(new long[] {next, 384}, s.get(p + "mlp.down_proj.weight"));
            assertArrayEquals(new long[] {w, w}, s.get(p + "attn_shortcut_Q"));
            assertArrayEquals(new long[] {w, next}, s.get(p + "mlp_shortcut_Q"));
            assertFalse(s.containsKey(p + "input_layernorm.weight"));
            assertFalse(s.containsKey(p + "post_attention_layernorm.weight"));
        }
        assertFalse(s.containsKey("model.norm.weight"));
        assertArrayEquals(new long[] {2048, d}, s.get("lm_head.weight"));
        long params = s.values().stream().mapToLong(v -> {
            long n = 1;
            for (long x : v) {
                n *= x;
            }
            return n;
        }).sum();
        assertEquals(params, o.parameterCount());
        assertEquals(c.parameterCount(), o.parameterCount());
        try (DecoderModel m = DecoderModel.load(out, TestModels.CPU)) {
            long[] ids = m.generate(TestModels.PROMPT, TestModels.GREEDY).tokenIds();
            assertEquals(8, ids.length);
        }
    }

    /**
     * When the base's residual stream lives in a 96-dimensional subspace (embedding, o_proj and all but the last
     * down_proj write only there), PCA finds that subspace and slicing to 96 = int(0.75 * 128) keeps the function.
     */
    @Test
    void slicingAwayDirectionsTheModelDoesNotUseKeepsItsFunction(@TempDir Path tmp) {
        Path base = tmp.resolve("low-rank-base");
        int kept = 96;
        try (NDManager m = Engines.newManager(TestModels.CPU)) {
            ModelConfig config = ModelConfig.load(TestModels.TINY);
            Map<String, NDArray> t = TestModels.tensors(TestModels.TINY, m);
            NDArray random = m.randomNormal(new Shape(128, 128)); // spread the subspace over all coordinates
            NDArray basis = orthonormalColumns(random, kept, m);  // [128, 96]
            NDArray projector = basis.matMul(basis.transpose());
            t.put("lm_head.weight", t.get("model.embed_tokens.weight").duplicate());
            t.put("model.embed_tokens.weight", t.get("model.embed_tokens.weight").matMul(projector));
            for (int i = 0; i < 4; i++) {
                String p = "model.layers." + i + ".";
                t.put(p + "self_attn.o_proj.weight", projector.matMul(t.get(p + "self_attn.o_proj.weight")));
                if (i < 3) {
                    t.put(p + "mlp.down_proj.weight", projector.matMul(t.get(p + "mlp.down_proj.weight")));
                }
            }
            ModelConfig untied = new ModelConfig(config.architecture(), config.hiddenSize(), config.numHiddenLayers(),
                    config.numAttentionHeads(), config.numKeyValueHeads(), config.headDim(),
                    config.intermediateSizes(), config.vocabSize(), config.maxPositionEmbeddings(),
                    config.rmsNormEps(), config.ropeTheta(), config.ropeScaling(), false, config.attentionBias(),
                    config.mlpBias(), config.bosTokenId(), config.eosTokenIds(), config.torchDtype(), null,
                    config.extraJson());
            CheckpointWriter.write(base, untied::write, t, DType.F32, 0, Map.of());
        }
        Path out = tmp.resolve("sliced");
        Compressor.compress(base, out, CompressionSpec.sliceGpt(0.25), TestModels.randomTokens(8, 32, 2048, 3),
                TestModels.CPU, null);
        assertEquals(kept, ModelConfig.load(out).sliceGpt().attentionInput(0));
        double diff = TestModels.maxAbsDiff(TestModels.logits(base, TestModels.PROMPT),
                TestModels.logits(out, TestModels.PROMPT));
        System.out.printf("slicegpt r=0.25 on a base living in %d of 128 dims: max-abs logits diff %.2e%n", kept, diff);
        assertTrue(diff < 1e-4, "slicing unused directions changed the logits by " + diff);
    }

    /** Gram-Schmidt on the first n columns, in float64. */
    private static NDArray orthonormalColumns(NDArray a, int n, NDManager m) {
        int d = (int) a.getShape().get(0);
        double[] v = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] cols = new double[n][d];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < d; i++) {
                cols[j][i] = v[i * d + j];
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += cols[j][i] * cols[k][i];
                }
                for (int i = 0; i < d; i++) {
                    cols[j][i] -= dot * cols[k][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < d; i++) {
                norm += cols[j][i] * cols[j][i];
            }
            for (int i = 0; i < d; i++) {
                cols[j][i] /= Math.sqrt(norm);
            }
        }
        float[] flat = new float[d * n];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < n; j++) {
                flat[i * n + j] = (float) cols[j][i];
            }
        }
        return m.create(flat, new Shape(d, n));
    }

    @Test
    void slicedWidthRoundsDownToAMultipleOfEight() {
        ModelConfig tiny = ModelConfig.load(TestModels.TINY);
        assertEquals(88, SliceGpt.slicedWidth(tiny, 0.3));
        assertEquals(64, SliceGpt.slicedWidth(tiny, 0.5));
        assertEquals(8, SliceGpt.slicedWidth(tiny, 0.99));
        assertEquals(112, SliceGpt.slicedWidth(tiny, 0.1));
    }
}

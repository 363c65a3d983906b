package dev.claws.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.claws.model.ActivationObserver;
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

    /**
     * Norm fusion + PCA rotations without slicing is an exact re-parametrisation: single-pass reproduces the base's
     * logits; sequential (which mean-centres the embeddings, as the official code does) reproduces the base with
     * centred embedding rows and an untied head of the original rows. At full width the sequential projections drop
     * nothing, so this also checks that the sliced computation equals the unsliced rotated one.
     */
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
        Path centred = tmp.resolve("centred-base");
        writeWithCentredEmbeddings(base, centred);
        for (SliceGptPcaMode pca : SliceGptPcaMode.values()) {
            Path reference = pca == SliceGptPcaMode.SEQUENTIAL ? centred : base;
            Path out = tmp.resolve("rotated-" + pca);
            CompressionOutcome o = Compressor.compress(base, out, CompressionSpec.sliceGpt(0.5, pca),
                    TestModels.randomTokens(4, 24, vocab, 5), TestModels.CPU, null, true);
            ModelConfig c = ModelConfig.load(out);
            assertNotNull(c.sliceGpt());
            assertTrue(c.sliceGpt().hiddenSizes().stream().allMatch(w -> w == c.hiddenSize()));
            float[][] expected = TestModels.logits(reference, TestModels.PROMPT);
            float[][] actual = TestModels.logits(out, TestModels.PROMPT);
            double diff = TestModels.maxAbsDiff(expected, actual);
            System.out.printf("slicegpt %s rotation only on %s: max-abs logits diff vs %s %.2e%n", pca,
                    base.getFileName(), reference.getFileName(), diff);
            assertTrue(diff < 1e-4, pca + ": rotated model differs from " + reference.getFileName() + " by " + diff);
            try (DecoderModel b = DecoderModel.load(reference, TestModels.CPU);
                 DecoderModel r = DecoderModel.load(out, TestModels.CPU)) {
                assertArrayEquals(b.generate(TestModels.PROMPT, TestModels.GREEDY).tokenIds(),
                        r.generate(TestModels.PROMPT, TestModels.GREEDY).tokenIds());
            }
            assertEquals(ModelConfig.load(out).parameterCount(), o.parameterCount());
        }
        // the centring is not an identity for RMSNorm models: the two references really differ
        assertTrue(TestModels.maxAbsDiff(TestModels.logits(base, TestModels.PROMPT),
                TestModels.logits(centred, TestModels.PROMPT)) > 1e-4);
    }

    /** {@code base} with every embedding row minus its mean and an untied lm_head holding the original rows. */
    private static void writeWithCentredEmbeddings(Path base, Path out) {
        try (NDManager m = Engines.newManager(TestModels.CPU)) {
            ModelConfig config = ModelConfig.load(base);
            Map<String, NDArray> t = TestModels.tensors(base, m);
            NDArray e = t.get("model.embed_tokens.weight");
            if (config.tieWordEmbeddings()) {
                t.put("lm_head.weight", e.duplicate());
            }
            NDArray e64 = e.toType(DataType.FLOAT64, false);
            t.put("model.embed_tokens.weight", e64.sub(e64.mean(new int[] {-1}, true)).toType(DataType.FLOAT32, false));
            CheckpointWriter.write(out, untied(config)::write, t, DType.F32, 0, Map.of());
        }
    }

    private static ModelConfig untied(ModelConfig config) {
        return new ModelConfig(config.architecture(), config.hiddenSize(), config.numHiddenLayers(),
                config.numAttentionHeads(), config.numKeyValueHeads(), config.headDim(),
                config.intermediateSizes(), config.vocabSize(), config.maxPositionEmbeddings(),
                config.rmsNormEps(), config.ropeTheta(), config.ropeScaling(), false, config.attentionBias(),
                config.mlpBias(), config.bosTokenId(), config.eosTokenIds(), config.torchDtype(), null,
                config.extraJson());
    }

    /**
     * The sequential algorithm's defining property: boundary k's basis diagonalises the second moment of the stream
     * the <em>sliced</em> model carries there, so observing the sliced model on its own calibration data gives a
     * diagonal Gram matrix at every boundary. Single-pass bases come from the unsliced base, so from boundary 1 on
     * (after the first slicing) they do not diagonalise the sliced model's stream.
     */
    @Test
    void sequentialBasesArePrincipalDirectionsOfTheSlicedModelItself(@TempDir Path tmp) {
        List<long[]> calibration = TestModels.randomTokens(8, 32, 2048, 9);
        Map<SliceGptPcaMode, double[]> offDiagonal = new java.util.EnumMap<>(SliceGptPcaMode.class);
        for (SliceGptPcaMode pca : SliceGptPcaMode.values()) {
            Path out = tmp.resolve("sliced-" + pca);
            Compressor.compress(TestModels.TINY, out, CompressionSpec.sliceGpt(0.3, pca), calibration, TestModels.CPU,
                    null);
            offDiagonal.put(pca, offDiagonalShares(out, calibration));
            System.out.printf("slicegpt %s r=0.3: off-diagonal share of the sliced stream's Gram matrix per boundary %s%n",
                    pca, java.util.Arrays.toString(offDiagonal.get(pca)));
        }
        double[] sequential = offDiagonal.get(SliceGptPcaMode.SEQUENTIAL);
        double[] single = offDiagonal.get(SliceGptPcaMode.SINGLE_PASS);
        for (int k = 0; k < sequential.length; k++) {
            assertTrue(sequential[k] < 1e-4, "sequential: boundary " + k + " Gram not diagonal: " + sequential[k]);
        }
        assertTrue(single[0] < 1e-4, "single pass: boundary 0 is the base's own stream: " + single[0]);
        for (int k = 1; k < single.length; k++) {
            assertTrue(single[k] > 100 * sequential[k], "single pass: boundary " + k + " diagonal as well: " + single[k]);
        }
    }

    /** Per boundary k < 2L of a sliced model: max |G_ij| (i != j) / max G_ii of G = sum x^T x over the sequences. */
    private static double[] offDiagonalShares(Path dir, List<long[]> sequences) {
        try (DecoderModel model = DecoderModel.load(dir, TestModels.CPU)) {
            int boundaries = 2 * model.config().numHiddenLayers();
            double[] shares = new double[boundaries];
            model.observe(sequences, (layer, point, residual) -> {
                int k = point == ActivationObserver.Point.LAYER_INPUT ? 2 * layer : 2 * layer + 1;
                if (k >= boundaries) {
                    return;
                }
                NDArray x = residual.toType(DataType.FLOAT64, false);
                int w = (int) x.getShape().get(1);
                double[] g = x.transpose().matMul(x).toDoubleArray();
                double diag = 0;
                double off = 0;
                for (int i = 0; i < w; i++) {
                    for (int j = 0; j < w; j++) {
                        double v = Math.abs(g[i * w + j]);
                        if (i == j) {
                            diag = Math.max(diag, v);
                        } else {
                            off = Math.max(off, v);
                        }
                    }
                }
                shares[k] = off / diag;
            });
            return shares;
        }
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
            // [128, 96], orthogonal to the all-ones direction, so the embedding centring leaves the rows in the subspace
            random.set(new NDIndex(":, 0"), 1f);
            NDArray basis = orthonormalColumns(random, kept + 1, m).get(":, 1:");
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
            CheckpointWriter.write(base, untied(config)::write, t, DType.F32, 0, Map.of());
        }
        for (SliceGptPcaMode pca : SliceGptPcaMode.values()) {
            Path out = tmp.resolve("sliced-" + pca);
            Compressor.compress(base, out, CompressionSpec.sliceGpt(0.25, pca), TestModels.randomTokens(8, 32, 2048, 3),
                    TestModels.CPU, null);
            assertEquals(kept, ModelConfig.load(out).sliceGpt().attentionInput(0));
            double diff = TestModels.maxAbsDiff(TestModels.logits(base, TestModels.PROMPT),
                    TestModels.logits(out, TestModels.PROMPT));
            System.out.printf("slicegpt %s r=0.25 on a base living in %d of 128 dims: max-abs logits diff %.2e%n", pca,
                    kept, diff);
            assertTrue(diff < 1e-4, pca + ": slicing unused directions changed the logits by " + diff);
        }
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

package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.claws.model.io.CheckpointWriter;
import dev.claws.model.io.DType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SliceGPT path of the forward pass (weightless RMSN dividing by the original width, shortcut matrices on the
 * residual, untied head), checked by building sliced checkpoints by hand from a base model, as SliceGPT does:
 * fuse the norm weights into the following linears, rotate every residual boundary k by an orthogonal Q_k and drop
 * the trailing coordinates. Rotation alone is exact, and slicing is exact when the base keeps its residual stream in
 * the kept subspace, so the sliced model must reproduce the base model's logits.
 */
class SliceGptForwardTest {

    static final int D = 32;
    static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int KV = 2;
    static final int HD = 8;
    static final int INTER = 48;
    static final int VOCAB = 64;
    static final long[] PROMPT = {3, 14, 15, 9, 26, 5, 35, 8, 9, 7};

    static NDManager m;

    @BeforeAll
    static void start() {
        m = Engines.newManager(EngineOptions.cpu(1));
    }

    @AfterAll
    static void stop() {
        m.close();
    }

    @Test
    void rotationWithoutSlicingReproducesTheBaseModel(@TempDir Path dir) {
        check(dir, D);
    }

    @Test
    void rotationAndSlicingReproduceABaseThatLivesInTheKeptSubspace(@TempDir Path dir) {
        check(dir, 24);
    }

    private void check(Path dir, int kept) {
        ModelConfig baseConfig = ModelConfig.of(ModelConfig.Architecture.QWEN2, D, LAYERS, HEADS, KV, HD, INTER,
                VOCAB, 128, 1e-5, 10000.0, null, false, false, false, 0, List.of(1));
        Map<String, NDArray> base = baseTensors(baseConfig, kept);
        Path baseDir = dir.resolve("base");
        CheckpointWriter.write(baseDir, baseConfig::write, base, DType.F32, 0, Map.of());

        NDArray[] q = new NDArray[2 * LAYERS + 1];
        Random rnd = new Random(11);
        for (int k = 0; k < q.length; k++) {
            // boundaries that get sliced must map the kept subspace onto itself: block-diagonal rotations
            q[k] = k < 2 * LAYERS ? blockOrthogonal(rnd, kept) : blockOrthogonal(rnd, D);
        }
        Map<String, NDArray> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", cols(base.get("model.embed_tokens.weight").matMul(q[0]), kept));
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            NDArray gIn = base.get(p + "input_layernorm.weight");
            NDArray gPost = base.get(p + "post_attention_layernorm.weight");
            int out = l == LAYERS - 1 ? D : kept;
            for (String n : new String[] {"q_proj", "k_proj", "v_proj"}) {
                s.put(p + "self_attn." + n + ".weight",
                        cols(base.get(p + "self_attn." + n + ".weight").mul(gIn).matMul(q[2 * l]), kept));
                s.put(p + "self_attn." + n + ".bias", base.get(p + "self_attn." + n + ".bias"));
            }
            s.put(p + "self_attn.o_proj.weight",
                    rows(q[2 * l + 1].transpose().matMul(base.get(p + "self_attn.o_proj.weight")), kept));
            for (String n : new String[] {"gate_proj", "up_proj"}) {
                s.put(p + "mlp." + n + ".weight",
                        cols(base.get(p + "mlp." + n + ".weight").mul(gPost).matMul(q[2 * l + 1]), kept));
            }
            s.put(p + "mlp.down_proj.weight",
                    rows(q[2 * l + 2].transpose().matMul(base.get(p + "mlp.down_proj.weight")), out));
            s.put(p + "attn_shortcut_Q", cols(rows(q[2 * l].transpose().matMul(q[2 * l + 1]), kept), kept));
            s.put(p + "mlp_shortcut_Q", cols(rows(q[2 * l + 1].transpose().matMul(q[2 * l + 2]), kept), out));
        }
        s.put("lm_head.weight", base.get("lm_head.weight").mul(base.get("model.norm.weight")).matMul(q[2 * LAYERS]));
        ModelConfig slicedConfig = baseConfig.withSliceGpt(SliceGptLayout.constant(LAYERS, kept, D));
        Path slicedDir = dir.resolve("sliced");
        CheckpointWriter.write(slicedDir, slicedConfig::write, s, DType.F32, 0, Map.of());

        try (DecoderModel b = DecoderModel.load(baseDir, m); DecoderModel sl = DecoderModel.load(slicedDir, m)) {
            assertTrue(sl.config().sliceGpt() != null);
            double diff = Fixtures.maxAbsDiff(b.logits(PROMPT), sl.logits(PROMPT));
            System.out.printf("slicegpt kept %d of %d: max-abs logits diff vs base = %.3e%n", kept, D, diff);
            assertTrue(diff < 1e-4, "sliced model differs from base by " + diff);
            // the cached path goes through the shortcut matrices too
            GenerationSettings greedy = GenerationSettings.greedy(8).withStopTokenIds(List.of());
            assertArrayEquals(b.generate(PROMPT, greedy).tokenIds(), sl.generate(PROMPT, greedy).tokenIds());
        }
    }

    /** Random base weights; residual writes (embedding, o_proj, all but the last down_proj) stay in coords < kept. */
    private static Map<String, NDArray> baseTensors(ModelConfig c, int kept) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        Map<String, long[]> layout = TensorLayout.of(c);
        for (Map.Entry<String, long[]> e : layout.entrySet()) {
            String n = e.getKey();
            Shape shape = new Shape(e.getValue());
            NDArray a = n.endsWith("norm.weight") ? m.randomUniform(0.5f, 1.5f, shape)
                    : m.randomNormal(0f, n.endsWith("bias") ? 0.1f : 0.3f, shape, ai.djl.ndarray.types.DataType.FLOAT32);
            boolean lastDown = n.equals("model.layers." + (LAYERS - 1) + ".mlp.down_proj.weight");
            if (n.equals("model.embed_tokens.weight")) {
                a = a.mul(mask(m, D, kept).reshape(1, D));
            } else if (n.endsWith("o_proj.weight") || (n.endsWith("down_proj.weight") && !lastDown)) {
                a = a.mul(mask(m, D, kept).reshape(D, 1));
            }
            t.put(n, a);
        }
        return t;
    }

    private static NDArray mask(NDManager m, int d, int kept) {
        float[] v = new float[d];
        for (int i = 0; i < kept; i++) {
            v[i] = 1;
        }
        return m.create(v);
    }

    /** blockdiag(random orthogonal kept x kept, random orthogonal rest x rest), Gram-Schmidt in double. */
    private static NDArray blockOrthogonal(Random rnd, int kept) {
        double[][] q = new double[D][D];
        fillOrthogonal(rnd, q, 0, kept);
        fillOrthogonal(rnd, q, kept, D);
        float[] flat = new float[D * D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                flat[i * D + j] = (float) q[i][j];
            }
        }
        return m.create(flat, new Shape(D, D));
    }

    private static void fillOrthogonal(Random rnd, double[][] q, int from, int to) {
        int n = to - from;
        double[][] cols = new double[n][n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                cols[j][i] = rnd.nextGaussian();
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += cols[j][i] * cols[k][i];
                }
                for (int i = 0; i < n; i++) {
                    cols[j][i] -= dot * cols[k][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += cols[j][i] * cols[j][i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                cols[j][i] /= norm;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[from + i][from + j] = cols[j][i];
            }
        }
    }

    private static NDArray cols(NDArray a, int n) {
        return a.get(":, :{}", n).duplicate();
    }

    private static NDArray rows(NDArray a, int n) {
        return a.get(":{}, :", n).duplicate();
    }
}

package dev.claws.model.gguf;

import dev.claws.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Architecture mapping of GGUF files: config from the metadata, tensor names, the llama q/k row permutation. */
class GgufCheckpointTest {

    @Test
    void smolLmConfigMatchesWhatTransformersDerives() throws Exception {
        assumeTrue(Files.exists(GgufTokenizerTest.GGUF), "../shared not present");
        ModelConfig ref = ModelConfig.load(GgufTokenizerTest.REFERENCE);
        try (GgufFile f = GgufFile.open(GgufTokenizerTest.GGUF)) {
            GgufCheckpoint c = GgufCheckpoint.of(f);
            ModelConfig got = c.config();
            assertEquals(ModelConfig.Architecture.LLAMA, got.architecture());
            assertEquals(ref.hiddenSize(), got.hiddenSize());
            assertEquals(ref.numHiddenLayers(), got.numHiddenLayers());
            assertEquals(ref.numAttentionHeads(), got.numAttentionHeads());
            assertEquals(ref.numKeyValueHeads(), got.numKeyValueHeads());
            assertEquals(ref.headDim(), got.headDim());
            assertEquals(ref.intermediateSizes(), got.intermediateSizes());
            assertEquals(ref.vocabSize(), got.vocabSize());
            assertEquals(ref.maxPositionEmbeddings(), got.maxPositionEmbeddings());
            assertEquals(ref.rmsNormEps(), got.rmsNormEps(), 0.0);
            assertEquals(ref.ropeTheta(), got.ropeTheta(), 0.0);
            assertEquals(ref.ropeScaling(), got.ropeScaling());
            assertTrue(got.tieWordEmbeddings());
            assertFalse(got.attentionBias());
            assertEquals(ref.bosTokenId(), got.bosTokenId());
            assertEquals(ref.eosTokenIds(), got.eosTokenIds());
            assertEquals(ref.parameterCount(), got.parameterCount());
            assertFalse(c.shapes().containsKey("lm_head.weight"));
            assertArrayEquals(new long[] {192, 576}, c.shapes().get("model.layers.0.self_attn.k_proj.weight"));
            assertEquals("blk.29.ffn_down.weight", c.source("model.layers.29.mlp.down_proj.weight").name());
            assertEquals(3 + 9 * 30 - 1, c.shapes().size()); // embedding, final norm, 9 per layer; no lm_head
        }
    }

    @Test
    void refusesAnUnsupportedArchitecture() {
        try (GgufFile f = GgufFile.open(GgufFileTest.BLOCKS)) {
            String m = assertThrows(GgufException.class, () -> GgufCheckpoint.of(f)).getMessage();
            assertTrue(m.endsWith("holds architecture 'claws-test', which claws does not load (supported: llama, "
                    + "qwen2)"), m);
        }
    }

    /** convert_hf_to_gguf.py's permute, written out: rows (head, 2, half) become (head, half, 2). */
    private static float[] permute(float[] w, int heads, int rows) {
        int cols = w.length / rows;
        int half = rows / heads / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < 2; j++) {
                for (int i = 0; i < half; i++) {
                    System.arraycopy(w, ((h * 2 + j) * half + i) * cols, out, ((h * half + i) * 2 + j) * cols, cols);
                }
            }
        }
        return out;
    }

    @Test
    void undoesTheLlamaRowPermutation() {
        int heads = 3;
        int rows = heads * 8;
        int cols = 5;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = i;
        }
        float[] stored = permute(w, heads, rows);
        // head 0 stored row 1 is original row 4 (the first row of the second half of the head)
        assertEquals(4 * cols, stored[cols], 0.0);
        assertArrayEquals(w, GgufCheckpoint.unpermute(stored, heads, rows));
    }
}

package dev.claws.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.claws.model.io.CheckpointException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigTest {

    /** Qwen/Qwen2.5-0.5B config.json as published (transformers 4 style keys). */
    static final String QWEN25_05B = "{\"architectures\": [\"Qwen2ForCausalLM\"], \"attention_dropout\": 0.0, "
            + "\"bos_token_id\": 151643, \"eos_token_id\": 151643, \"hidden_act\": \"silu\", \"hidden_size\": 896, "
            + "\"initializer_range\": 0.02, \"intermediate_size\": 4864, \"max_position_embeddings\": 32768, "
            + "\"max_window_layers\": 24, \"model_type\": \"qwen2\", \"num_attention_heads\": 14, "
            + "\"num_hidden_layers\": 24, \"num_key_value_heads\": 2, \"rms_norm_eps\": 1e-06, "
            + "\"rope_theta\": 1000000.0, \"sliding_window\": 32768, \"tie_word_embeddings\": true, "
            + "\"torch_dtype\": \"bfloat16\", \"transformers_version\": \"4.40.1\", \"use_cache\": true, "
            + "\"use_sliding_window\": false, \"vocab_size\": 151936}";

    static final String LLAMA32_1B = "{\"architectures\": [\"LlamaForCausalLM\"], \"attention_bias\": false, "
            + "\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128008, 128009], \"head_dim\": 64, "
            + "\"hidden_act\": \"silu\", \"hidden_size\": 2048, \"intermediate_size\": 8192, "
            + "\"max_position_embeddings\": 131072, \"mlp_bias\": false, \"model_type\": \"llama\", "
            + "\"num_attention_heads\": 32, \"num_hidden_layers\": 16, \"num_key_value_heads\": 8, "
            + "\"rms_norm_eps\": 1e-05, \"rope_scaling\": {\"factor\": 32.0, \"high_freq_factor\": 4.0, "
            + "\"low_freq_factor\": 1.0, \"original_max_position_embeddings\": 8192, \"rope_type\": \"llama3\"}, "
            + "\"rope_theta\": 500000.0, \"tie_word_embeddings\": true, \"torch_dtype\": \"bfloat16\", "
            + "\"vocab_size\": 128256}";

    static ModelConfig parse(String json) {
        return ModelConfig.fromJson(JsonParser.parseString(json).getAsJsonObject());
    }

    @Test
    void readsQwen25Config() {
        ModelConfig c = parse(QWEN25_05B);
        assertEquals(ModelConfig.Architecture.QWEN2, c.architecture());
        assertEquals(896, c.hiddenSize());
        assertEquals(64, c.headDim());
        assertEquals(7, c.kvGroups());
        assertEquals(4864, c.intermediateSize(23));
        assertEquals(1e6, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertTrue(c.tieWordEmbeddings());
        assertTrue(c.qkvBias());
        assertFalse(c.outputBias());
        assertEquals(List.of(151643), c.eosTokenIds());
        assertEquals(494_032_768L, c.parameterCount()); // the published parameter count
    }

    @Test
    void readsLlama32ConfigWithLlama3Rope() {
        ModelConfig c = parse(LLAMA32_1B);
        assertEquals(ModelConfig.Architecture.LLAMA, c.architecture());
        assertEquals("llama3", c.ropeScaling().type());
        assertEquals(32.0, c.ropeScaling().factor());
        assertEquals(8192, c.ropeScaling().originalMaxPositionEmbeddings());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        assertFalse(c.qkvBias());
        assertEquals(1_235_814_400L, c.parameterCount());
    }

    @Test
    void writesBackWhatItReadsAndKeepsUnknownKeys() {
        for (String json : new String[] {QWEN25_05B, LLAMA32_1B}) {
            ModelConfig c = parse(json);
            JsonObject written = c.toJson();
            assertEquals(c.toJson(), parse(written.toString()).toJson());
            assertTrue(written.has("initializer_range") || written.has("mlp_bias"), "unknown keys are kept");
        }
        ModelConfig back = parse(parse(LLAMA32_1B).toJson().toString());
        assertEquals(parse(LLAMA32_1B).ropeScaling(), back.ropeScaling());
        assertEquals(parse(LLAMA32_1B).eosTokenIds(), back.eosTokenIds());
    }

    @Test
    void perLayerIntermediateSizesUseTheClawsKeyOnlyWhenNonUniform() {
        ModelConfig base = parse(QWEN25_05B);
        ModelConfig uniform = base.withIntermediateSizes(java.util.Collections.nCopies(24, 2432));
        JsonObject u = uniform.toJson();
        assertEquals(2432, u.get("intermediate_size").getAsInt());
        assertFalse(u.has(ModelConfig.INTERMEDIATE_SIZES_KEY), "uniform widths stay plain Hugging Face config");
        Integer[] sizes = new Integer[24];
        for (int i = 0; i < 24; i++) {
            sizes[i] = 1000 + i;
        }
        ModelConfig mixed = base.withIntermediateSizes(List.of(sizes));
        JsonObject m = mixed.toJson();
        assertEquals(24, m.getAsJsonArray(ModelConfig.INTERMEDIATE_SIZES_KEY).size());
        assertEquals(1023, parse(m.toString()).intermediateSize(23));
    }

    @Test
    void sliceGptLayoutRoundTrips() {
        ModelConfig sliced = parse(QWEN25_05B).withSliceGpt(SliceGptLayout.constant(24, 624, 896));
        assertFalse(sliced.tieWordEmbeddings());
        ModelConfig back = parse(sliced.toJson().toString());
        assertEquals(sliced.sliceGpt(), back.sliceGpt());
        assertEquals(624, back.attentionInputWidth(0));
        assertEquals(896, back.layerOutputWidth(23));
        assertEquals(896, back.sliceGpt().rmsnDivisor());
        assertEquals(1e-5, back.sliceGpt().rmsnEps());
    }

    @Test
    void rejectsWhatItCannotRun() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> parse(QWEN25_05B.replace("Qwen2ForCausalLM", "MistralForCausalLM")));
        assertTrue(e.getMessage().contains("unknown architecture 'MistralForCausalLM'"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> parse(QWEN25_05B.replace("\"hidden_size\": 896,", "")));
        assertTrue(e.getMessage().contains("hidden_size"), e.getMessage());
        e = assertThrows(CheckpointException.class,
                () -> parse(QWEN25_05B.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3")));
        assertTrue(e.getMessage().contains("num_key_value_heads"), e.getMessage());
        e = assertThrows(CheckpointException.class,
                () -> parse(LLAMA32_1B.replace("\"llama3\"", "\"yarn\"")));
        assertTrue(e.getMessage().contains("yarn"), e.getMessage());
    }
}

package dev.claws.model.gguf;

import com.google.gson.JsonObject;
import dev.claws.model.ModelConfig;
import dev.claws.model.RopeScaling;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GGUF file of a llama or qwen2 model seen as a Hugging Face checkpoint: the config.json values from the metadata,
 * and the tensors under their Hugging Face names, dequantized to float32.
 *
 * <p>Name mapping and transforms follow llama.cpp's convert_hf_to_gguf.py in reverse: "blk.N.attn_q" is
 * "model.layers.N.self_attn.q_proj" and so on; for llama, the converter permutes the rows of the q and k projections
 * (weights and biases) from Hugging Face's rotate-half layout into interleaved pairs, which {@link #unpermute} undoes;
 * qwen2 is stored unpermuted (llama.cpp uses NeoX-style rope for it). The output projection is absent when it is the
 * embedding matrix, which makes the embeddings tied.
 */
public final class GgufCheckpoint {

    public static final List<String> ARCHITECTURES = List.of("llama", "qwen2");

    private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\.(\\w+)\\.(weight|bias)");
    private static final Map<String, String> LAYER_NAMES = Map.of(
            "attn_norm", "input_layernorm",
            "ffn_norm", "post_attention_layernorm",
            "attn_q", "self_attn.q_proj",
            "attn_k", "self_attn.k_proj",
            "attn_v", "self_attn.v_proj",
            "attn_output", "self_attn.o_proj",
            "ffn_gate", "mlp.gate_proj",
            "ffn_up", "mlp.up_proj",
            "ffn_down", "mlp.down_proj");
    private static final Map<String, String> GLOBAL_NAMES = Map.of(
            "token_embd.weight", "model.embed_tokens.weight",
            "output_norm.weight", "model.norm.weight",
            "output.weight", "lm_head.weight");

    private final GgufFile file;
    private final ModelConfig config;
    private final Map<String, GgufTensor> tensors; // Hugging Face name -> GGUF tensor, in file order

    private GgufCheckpoint(GgufFile file, ModelConfig config, Map<String, GgufTensor> tensors) {
        this.file = file;
        this.config = config;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Maps the metadata and tensor names of {@code file}; the caller keeps closing the file. */
    public static GgufCheckpoint of(GgufFile file) {
        String arch = file.string("general.architecture");
        if (!ARCHITECTURES.contains(arch)) {
            throw new GgufException(file.path() + " holds architecture '" + arch + "', which claws does not load "
                    + "(supported: " + String.join(", ", ARCHITECTURES) + ")");
        }
        Map<String, GgufTensor> mapped = new LinkedHashMap<>();
        for (GgufTensor t : file.tensors().values()) {
            mapped.put(hfName(file, t.name()), t);
        }
        return new GgufCheckpoint(file, config(file, arch), mapped);
    }

    private static String hfName(GgufFile file, String name) {
        String global = GLOBAL_NAMES.get(name);
        if (global != null) {
            return global;
        }
        Matcher m = LAYER.matcher(name);
        if (m.matches() && LAYER_NAMES.containsKey(m.group(2))) {
            return "model.layers." + m.group(1) + "." + LAYER_NAMES.get(m.group(2)) + "." + m.group(3);
        }
        if (name.equals("rope_freqs.weight")) {
            throw new GgufException(file.path() + " stores per-dimension rope frequency factors (rope_freqs.weight, "
                    + "llama3-style rope scaling), which claws does not import");
        }
        throw new GgufException(file.path() + " has tensor '" + name + "', which has no Hugging Face counterpart "
                + "in a llama or qwen2 model");
    }

    private static ModelConfig config(GgufFile f, String arch) {
        String p = arch + ".";
        int hidden = intKey(f, p + "embedding_length");
        int layers = intKey(f, p + "block_count");
        int heads = intKey(f, p + "attention.head_count");
        int kvHeads = f.has(p + "attention.head_count_kv") ? intKey(f, p + "attention.head_count_kv") : heads;
        int headDim = f.has(p + "attention.key_length") ? intKey(f, p + "attention.key_length") : hidden / heads;
        if (f.has(p + "attention.value_length") && intKey(f, p + "attention.value_length") != headDim) {
            throw new GgufException(f.path() + ": key and value head sizes differ, which claws does not support");
        }
        if (f.has(p + "rope.dimension_count") && intKey(f, p + "rope.dimension_count") != headDim) {
            throw new GgufException(f.path() + ": rope covers " + intKey(f, p + "rope.dimension_count")
                    + " of " + headDim + " head dimensions; claws supports full-width rope only");
        }
        GgufTensor embed = f.tensor("token_embd.weight");
        int vocab = f.has(p + "vocab_size") ? intKey(f, p + "vocab_size") : (int) embed.dims()[1];
        RopeScaling scaling = null;
        String scalingType = f.has(p + "rope.scaling.type") ? f.string(p + "rope.scaling.type") : "none";
        switch (scalingType) {
            case "none":
                break;
            case "linear":
                scaling = RopeScaling.linear(f.number(p + "rope.scaling.factor"));
                break;
            default:
                throw new GgufException(f.path() + ": rope scaling '" + scalingType
                        + "' is not supported (supported: none, linear)");
        }
        boolean tied = !f.tensors().containsKey("output.weight");
        boolean bias = f.tensors().containsKey("blk.0.attn_q.bias");
        if (arch.equals("qwen2") && !bias) {
            throw new GgufException(f.path() + ": a qwen2 model needs q/k/v biases (blk.0.attn_q.bias is missing)");
        }
        if (arch.equals("llama") && bias != f.tensors().containsKey("blk.0.attn_output.bias")) {
            throw new GgufException(f.path() + ": a llama model has biases on all of q/k/v/o or on none");
        }
        Integer bos = f.has("tokenizer.ggml.bos_token_id") ? (int) f.integer("tokenizer.ggml.bos_token_id") : null;
        List<Integer> eos = f.has("tokenizer.ggml.eos_token_id")
                ? List.of((int) f.integer("tokenizer.ggml.eos_token_id")) : List.of();
        ModelConfig.Architecture a = arch.equals("llama") ? ModelConfig.Architecture.LLAMA
                : ModelConfig.Architecture.QWEN2;
        ModelConfig c = ModelConfig.of(a, hidden, layers, heads, kvHeads, headDim,
                intKey(f, p + "feed_forward_length"), vocab, intKey(f, p + "context_length"),
                f.number(p + "attention.layer_norm_rms_epsilon"),
                f.has(p + "rope.freq_base") ? f.number(p + "rope.freq_base") : 10000.0, scaling, tied,
                arch.equals("llama") && bias, false, bos, eos);
        // written in the transformers 5 layout (rope_parameters), with the padding token the tokenizer names
        JsonObject json = c.toJson();
        json.add("rope_parameters", new JsonObject());
        if (f.has("tokenizer.ggml.padding_token_id")) {
            json.addProperty("pad_token_id", f.integer("tokenizer.ggml.padding_token_id"));
        }
        return ModelConfig.fromJson(json);
    }

    private static int intKey(GgufFile f, String key) {
        long v = f.integer(key);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new GgufException(f.path() + ": metadata " + key + " is " + v + ", outside 1.." + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    public ModelConfig config() {
        return config;
    }

    public GgufFile file() {
        return file;
    }

    /** Hugging Face tensor names with their row-major shapes, in file order. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name, t.shape()));
        return out;
    }

    /** The GGUF tensor stored for a Hugging Face name. */
    public GgufTensor source(String hfName) {
        GgufTensor t = tensors.get(hfName);
        if (t == null) {
            throw new GgufException(file.path() + " has no tensor for '" + hfName + "'");
        }
        return t;
    }

    /** The tensor named {@code hfName} in Hugging Face layout, as float32, row-major in its shape. */
    public float[] tensor(String hfName) {
        GgufTensor t = source(hfName);
        float[] values = file.dequantize(t.name());
        if (config.architecture() == ModelConfig.Architecture.LLAMA) {
            if (hfName.matches("model\\.layers\\.\\d+\\.self_attn\\.q_proj\\.(weight|bias)")) {
                return unpermute(values, config.numAttentionHeads(), rows(t));
            }
            if (hfName.matches("model\\.layers\\.\\d+\\.self_attn\\.k_proj\\.(weight|bias)")) {
                return unpermute(values, config.numKeyValueHeads(), rows(t));
            }
        }
        return values;
    }

    private static int rows(GgufTensor t) {
        return (int) t.shape()[0];
    }

    /**
     * Inverse of convert_hf_to_gguf.py's LlamaModel.permute: that reshapes the rows to (heads, 2, rows/heads/2) and
     * swaps the last two axes; here row (h, i, j) of the stored (heads, rows/heads/2, 2) layout goes back to
     * (h, j, i).
     */
    static float[] unpermute(float[] w, int heads, int rows) {
        int cols = w.length / rows;
        int half = rows / heads / 2;
        if (half * 2 * heads != rows) {
            throw new GgufException("cannot undo the q/k row permutation: " + rows + " rows for " + heads + " heads");
        }
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int stored = (h * half + i) * 2 + j;
                    int original = (h * 2 + j) * half + i;
                    System.arraycopy(w, stored * cols, out, original * cols, cols);
                }
            }
        }
        return out;
    }
}

package dev.claws.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.claws.model.io.CheckpointException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The decoder shapes and numerics read from a Hugging Face config.json (Qwen2ForCausalLM, LlamaForCausalLM), plus
 * the claws keys for pruned models: "claws_intermediate_sizes" (per-layer MLP widths) and "claws_slicegpt".
 * Keys claws does not interpret are kept and written back unchanged.
 */
public record ModelConfig(
        Architecture architecture,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        List<Integer> intermediateSizes,
        int vocabSize,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype,
        SliceGptLayout sliceGpt,
        String extraJson) {

    public static final String FILE_NAME = "config.json";
    public static final String INTERMEDIATE_SIZES_KEY = "claws_intermediate_sizes";

    /** Supported decoder families. */
    public enum Architecture {
        QWEN2("Qwen2ForCausalLM", "qwen2"),
        LLAMA("LlamaForCausalLM", "llama");

        private final String className;
        private final String modelType;

        Architecture(String className, String modelType) {
            this.className = className;
            this.modelType = modelType;
        }

        public String className() {
            return className;
        }

        public String modelType() {
            return modelType;
        }

        static Architecture fromClassName(String name) {
            for (Architecture a : values()) {
                if (a.className.equals(name)) {
                    return a;
                }
            }
            throw new CheckpointException("unknown architecture '" + name
                    + "' in config.json (supported: Qwen2ForCausalLM, LlamaForCausalLM)");
        }
    }

    public ModelConfig {
        intermediateSizes = List.copyOf(intermediateSizes);
        eosTokenIds = List.copyOf(eosTokenIds);
        extraJson = extraJson == null ? "{}" : extraJson;
        require(hiddenSize > 0, "hidden_size must be positive");
        require(numHiddenLayers > 0, "num_hidden_layers must be positive");
        require(numAttentionHeads > 0, "num_attention_heads must be positive");
        require(numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads == 0,
                "num_key_value_heads must be positive and divide num_attention_heads");
        require(headDim > 0 && headDim % 2 == 0, "head_dim must be positive and even");
        require(intermediateSizes.size() == numHiddenLayers,
                "claws_intermediate_sizes must have num_hidden_layers entries");
        for (int s : intermediateSizes) {
            require(s > 0, "intermediate sizes must be positive");
        }
        require(vocabSize > 0, "vocab_size must be positive");
        require(maxPositionEmbeddings > 0, "max_position_embeddings must be positive");
        require(rmsNormEps > 0, "rms_norm_eps must be positive");
        require(ropeTheta > 0, "rope_theta must be positive");
        require(sliceGpt == null || sliceGpt.layers() == numHiddenLayers,
                "claws_slicegpt.hidden_sizes must have 2*num_hidden_layers+1 entries");
        require(sliceGpt == null || !tieWordEmbeddings, "a SliceGPT checkpoint needs an untied lm_head");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new CheckpointException("invalid config.json: " + message);
        }
    }

    /** Qwen2 always has q/k/v biases; LLaMA has them when attention_bias is set. */
    public boolean qkvBias() {
        return architecture == Architecture.QWEN2 || attentionBias;
    }

    /** Only LLaMA with attention_bias has an o_proj bias. */
    public boolean outputBias() {
        return architecture == Architecture.LLAMA && attentionBias;
    }

    public int intermediateSize(int layer) {
        return intermediateSizes.get(layer);
    }

    public boolean uniformIntermediateSize() {
        return intermediateSizes.stream().distinct().count() == 1;
    }

    public int kvGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Width of the residual stream entering layer {@code i}'s attention (smaller than hidden_size when sliced). */
    public int attentionInputWidth(int layer) {
        return sliceGpt == null ? hiddenSize : sliceGpt.attentionInput(layer);
    }

    public int mlpInputWidth(int layer) {
        return sliceGpt == null ? hiddenSize : sliceGpt.mlpInput(layer);
    }

    public int layerOutputWidth(int layer) {
        return sliceGpt == null ? hiddenSize : sliceGpt.layerOutput(layer);
    }

    public int embeddingWidth() {
        return sliceGpt == null ? hiddenSize : sliceGpt.embeddingSize();
    }

    public int headInputWidth() {
        return sliceGpt == null ? hiddenSize : sliceGpt.headInput();
    }

    /** A copy with per-layer MLP widths (RandomPruneNet). */
    public ModelConfig withIntermediateSizes(List<Integer> sizes) {
        return new ModelConfig(architecture, hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim,
                sizes, vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, tieWordEmbeddings,
                attentionBias, mlpBias, bosTokenId, eosTokenIds, torchDtype, sliceGpt, extraJson);
    }

    /** A copy describing a SliceGPT-sliced model (untied head). */
    public ModelConfig withSliceGpt(SliceGptLayout layout) {
        return new ModelConfig(architecture, hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim,
                intermediateSizes, vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, false,
                attentionBias, mlpBias, bosTokenId, eosTokenIds, torchDtype, layout, extraJson);
    }

    public ModelConfig withTorchDtype(String dtype) {
        return new ModelConfig(architecture, hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim,
                intermediateSizes, vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, bosTokenId, eosTokenIds, dtype, sliceGpt, extraJson);
    }

    /** Parameter count of the stored tensors (embedding, layers, norms, untied head, shortcut matrices). */
    public long parameterCount() {
        long n = (long) vocabSize * embeddingWidth();
        int q = numAttentionHeads * headDim;
        int kv = numKeyValueHeads * headDim;
        for (int i = 0; i < numHiddenLayers; i++) {
            long din = attentionInputWidth(i);
            long dmid = mlpInputWidth(i);
            long dout = layerOutputWidth(i);
            long inter = intermediateSize(i);
            n += din * (q + 2L * kv) + (qkvBias() ? q + 2L * kv : 0);
            n += (long) q * dmid + (outputBias() ? dmid : 0);
            n += 2 * dmid * inter + dout * inter + (mlpBias ? 2 * inter + dout : 0);
            if (sliceGpt == null) {
                n += 2L * hiddenSize;
            } else {
                n += din * dmid + dmid * dout;
            }
        }
        n += sliceGpt == null ? hiddenSize : 0;
        if (!tieWordEmbeddings) {
            n += (long) vocabSize * headInputWidth();
        }
        return n;
    }

    // ---------------------------------------------------------------- reading

    public static ModelConfig load(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("config.json not found in " + directory);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromJson(JsonParser.parseString(text).getAsJsonObject());
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException("corrupt " + file + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig fromJson(JsonObject json) {
        JsonArray archs = json.has("architectures") && json.get("architectures").isJsonArray()
                ? json.getAsJsonArray("architectures") : null;
        if (archs == null || archs.isEmpty()) {
            throw new CheckpointException("config.json has no \"architectures\" (supported: Qwen2ForCausalLM, "
                    + "LlamaForCausalLM)");
        }
        Architecture arch = Architecture.fromClassName(archs.get(0).getAsString());
        String act = optString(json, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new CheckpointException("unsupported hidden_act '" + act + "' (supported: silu)");
        }
        if (optBool(json, "use_sliding_window", false)) {
            throw new CheckpointException("use_sliding_window=true is not supported");
        }
        int hidden = reqInt(json, "hidden_size");
        int layers = reqInt(json, "num_hidden_layers");
        int heads = reqInt(json, "num_attention_heads");
        int kvHeads = json.has("num_key_value_heads") && !json.get("num_key_value_heads").isJsonNull()
                ? reqInt(json, "num_key_value_heads") : heads;
        int headDim = json.has("head_dim") && !json.get("head_dim").isJsonNull()
                ? reqInt(json, "head_dim") : hidden / heads;
        List<Integer> inter;
        if (json.has(INTERMEDIATE_SIZES_KEY)) {
            inter = intList(json.get(INTERMEDIATE_SIZES_KEY), INTERMEDIATE_SIZES_KEY);
        } else {
            inter = Collections.nCopies(layers, reqInt(json, "intermediate_size"));
        }
        JsonObject ropeParams = json.has("rope_parameters") && json.get("rope_parameters").isJsonObject()
                ? json.getAsJsonObject("rope_parameters") : null;
        double theta;
        if (json.has("rope_theta") && !json.get("rope_theta").isJsonNull()) {
            theta = json.get("rope_theta").getAsDouble();
        } else if (ropeParams != null && ropeParams.has("rope_theta")) {
            theta = ropeParams.get("rope_theta").getAsDouble();
        } else {
            theta = 10000.0;
        }
        JsonObject scalingJson = json.has("rope_scaling") && json.get("rope_scaling").isJsonObject()
                ? json.getAsJsonObject("rope_scaling") : ropeParams;
        RopeScaling scaling = parseScaling(scalingJson);
        List<Integer> eos = json.has("eos_token_id") && !json.get("eos_token_id").isJsonNull()
                ? intList(json.get("eos_token_id"), "eos_token_id") : List.of();
        Integer bos = json.has("bos_token_id") && !json.get("bos_token_id").isJsonNull()
                ? json.get("bos_token_id").getAsInt() : null;
        SliceGptLayout slice = null;
        if (json.has(SliceGptLayout.CONFIG_KEY) && json.get(SliceGptLayout.CONFIG_KEY).isJsonObject()) {
            JsonObject s = json.getAsJsonObject(SliceGptLayout.CONFIG_KEY);
            try {
                slice = new SliceGptLayout(intList(s.get("hidden_sizes"), "claws_slicegpt.hidden_sizes"),
                        s.has("rmsn_eps") ? s.get("rmsn_eps").getAsDouble() : 1e-5,
                        s.has("rmsn_divisor") ? s.get("rmsn_divisor").getAsInt() : hidden);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException("invalid config.json: " + e.getMessage(), e);
            }
        }
        boolean tie = optBool(json, "tie_word_embeddings", false); // the transformers default for both families
        String dtype = json.has("torch_dtype") && !json.get("torch_dtype").isJsonNull()
                ? json.get("torch_dtype").getAsString()
                : (json.has("dtype") && !json.get("dtype").isJsonNull() ? json.get("dtype").getAsString() : "float32");
        return new ModelConfig(arch, hidden, layers, heads, kvHeads, headDim, inter,
                reqInt(json, "vocab_size"), json.has("max_position_embeddings")
                ? json.get("max_position_embeddings").getAsInt() : 32768,
                json.has("rms_norm_eps") ? json.get("rms_norm_eps").getAsDouble() : 1e-6,
                theta, scaling, tie, optBool(json, "attention_bias", false), optBool(json, "mlp_bias", false),
                bos, eos, dtype, slice, json.toString());
    }

    private static RopeScaling parseScaling(JsonObject s) {
        if (s == null) {
            return null;
        }
        String type = s.has("rope_type") ? s.get("rope_type").getAsString()
                : (s.has("type") ? s.get("type").getAsString() : "default");
        switch (type) {
            case "default":
                return null;
            case "linear":
                return RopeScaling.linear(s.get("factor").getAsDouble());
            case "llama3":
                return RopeScaling.llama3(s.get("factor").getAsDouble(), s.get("low_freq_factor").getAsDouble(),
                        s.get("high_freq_factor").getAsDouble(), s.get("original_max_position_embeddings").getAsInt());
            default:
                throw new CheckpointException("unsupported rope_scaling type '" + type
                        + "' (supported: default, linear, llama3)");
        }
    }

    private static int reqInt(JsonObject json, String key) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) {
            throw new CheckpointException("config.json is missing \"" + key + "\"");
        }
        try {
            return e.getAsInt();
        } catch (RuntimeException ex) {
            throw new CheckpointException("config.json \"" + key + "\" is not an integer: " + e, ex);
        }
    }

    private static boolean optBool(JsonObject json, String key, boolean dflt) {
        JsonElement e = json.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsBoolean();
    }

    private static String optString(JsonObject json, String key, String dflt) {
        JsonElement e = json.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsString();
    }

    private static List<Integer> intList(JsonElement e, String key) {
        List<Integer> out = new ArrayList<>();
        try {
            if (e.isJsonArray()) {
                for (JsonElement x : e.getAsJsonArray()) {
                    out.add(x.getAsInt());
                }
            } else {
                out.add(e.getAsInt());
            }
        } catch (RuntimeException ex) {
            throw new CheckpointException("config.json \"" + key + "\" must be an integer or a list of integers", ex);
        }
        return out;
    }

    // ---------------------------------------------------------------- writing

    /** The config.json object: keys claws does not use are kept from the original, the rest written from fields. */
    public JsonObject toJson() {
        JsonObject o = JsonParser.parseString(extraJson).getAsJsonObject();
        JsonArray archs = new JsonArray();
        archs.add(architecture.className());
        o.add("architectures", archs);
        o.addProperty("model_type", architecture.modelType());
        o.addProperty("hidden_act", "silu");
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("num_hidden_layers", numHiddenLayers);
        o.addProperty("num_attention_heads", numAttentionHeads);
        o.addProperty("num_key_value_heads", numKeyValueHeads);
        o.addProperty("head_dim", headDim);
        o.addProperty("intermediate_size", intermediateSizes.stream().mapToInt(Integer::intValue).max().orElse(0));
        if (uniformIntermediateSize()) {
            o.addProperty("intermediate_size", intermediateSizes.get(0));
            o.remove(INTERMEDIATE_SIZES_KEY);
        } else {
            JsonArray sizes = new JsonArray();
            intermediateSizes.forEach(sizes::add);
            o.add(INTERMEDIATE_SIZES_KEY, sizes);
        }
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("max_position_embeddings", maxPositionEmbeddings);
        o.addProperty("rms_norm_eps", rmsNormEps);
        JsonObject scaling = scalingJson();
        if (o.has("rope_parameters")) {
            // transformers 5 style: theta and scaling live together
            JsonObject rp = scaling == null ? new JsonObject() : scaling;
            if (scaling == null) {
                rp.addProperty("rope_type", "default");
            }
            rp.addProperty("rope_theta", ropeTheta);
            o.add("rope_parameters", rp);
            o.remove("rope_scaling");
            o.remove("rope_theta");
        } else {
            o.addProperty("rope_theta", ropeTheta);
            o.add("rope_scaling", scaling == null ? JsonNull.INSTANCE : scaling);
        }
        o.addProperty("tie_word_embeddings", tieWordEmbeddings);
        if (architecture == Architecture.LLAMA) {
            o.addProperty("attention_bias", attentionBias);
            o.addProperty("mlp_bias", mlpBias);
        }
        o.add("bos_token_id", bosTokenId == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(bosTokenId));
        if (eosTokenIds.isEmpty()) {
            o.add("eos_token_id", JsonNull.INSTANCE);
        } else if (eosTokenIds.size() == 1) {
            o.addProperty("eos_token_id", eosTokenIds.get(0));
        } else {
            JsonArray eos = new JsonArray();
            eosTokenIds.forEach(eos::add);
            o.add("eos_token_id", eos);
        }
        o.addProperty("torch_dtype", torchDtype);
        o.remove("dtype");
        if (sliceGpt != null) {
            JsonObject s = new JsonObject();
            JsonArray widths = new JsonArray();
            sliceGpt.hiddenSizes().forEach(widths::add);
            s.add("hidden_sizes", widths);
            s.addProperty("rmsn_eps", sliceGpt.rmsnEps());
            s.addProperty("rmsn_divisor", sliceGpt.rmsnDivisor());
            o.add(SliceGptLayout.CONFIG_KEY, s);
        } else {
            o.remove(SliceGptLayout.CONFIG_KEY);
        }
        return o;
    }

    private JsonObject scalingJson() {
        if (ropeScaling == null) {
            return null;
        }
        JsonObject s = new JsonObject();
        s.addProperty("rope_type", ropeScaling.type());
        s.addProperty("factor", ropeScaling.factor());
        if (ropeScaling.type().equals("llama3")) {
            s.addProperty("low_freq_factor", ropeScaling.lowFreqFactor());
            s.addProperty("high_freq_factor", ropeScaling.highFreqFactor());
            s.addProperty("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
        }
        return s;
    }

    public String toJsonString() {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(toJson()) + "\n";
    }

    /** Writes config.json into {@code directory} (through a temporary file, moved into place). */
    public void write(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        Path tmp = directory.resolve(FILE_NAME + ".tmp");
        try {
            Files.writeString(tmp, toJsonString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Builder-style factory for synthetic configs; unset claws keys take Hugging Face defaults. */
    public static ModelConfig of(Architecture arch, int hidden, int layers, int heads, int kvHeads, int headDim,
                                 int intermediate, int vocab, int maxPositions, double rmsEps, double ropeTheta,
                                 RopeScaling scaling, boolean tied, boolean attentionBias, boolean mlpBias,
                                 Integer bos, List<Integer> eos) {
        return new ModelConfig(arch, hidden, layers, heads, kvHeads, headDim, Collections.nCopies(layers, intermediate),
                vocab, maxPositions, rmsEps, ropeTheta, scaling, tied, attentionBias, mlpBias, bos, eos, "float32",
                null, "{}");
    }
}

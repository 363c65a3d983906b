package dev.claws.model.gguf;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.claws.model.ByteLevelAlphabet;
import dev.claws.model.TextTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tokenizer files of a Hugging Face checkpoint rebuilt from a GGUF file's tokenizer metadata (llama.cpp keys
 * tokenizer.ggml.*), the way transformers builds them when it loads a GGUF (integrations/gguf/
 * gguf_tokenizer_mapping.py), so the ids are the same:
 * <ul>
 *   <li>tokenizer.json: byte-level BPE (tokenizer.ggml.model "gpt2") with the file's vocabulary (tokens not spelled in
 *       the byte alphabet are respelled byte by byte) and merges; tokens of type CONTROL (3) added as special tokens,
 *       USER_DEFINED (4) as plain added tokens; the pre-tokenizer named by tokenizer.ggml.pre (gpt2-style byte-level
 *       regex, or a Split with the llama-3 or qwen2 regex before byte-level); BOS/EOS added by the post-processor when
 *       tokenizer.ggml.add_bos_token / add_eos_token say so;</li>
 *   <li>tokenizer_config.json: the special tokens, the add-BOS/EOS flags and tokenizer.chat_template as
 *       "chat_template", also written on its own as chat_template.jinja (the transformers 5 layout);</li>
 *   <li>generation_config.json: bos/eos/pad token ids.</li>
 * </ul>
 */
public final class GgufTokenizer {

    public static final String CONFIG_FILE = "tokenizer_config.json";
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";

    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** tokenizer.ggml.pre values and the split regex they stand for (null: the gpt2 byte-level regex). */
    private static final Map<String, String> PRE_TOKENIZERS = new LinkedHashMap<>();

    static {
        PRE_TOKENIZERS.put("default", null);
        PRE_TOKENIZERS.put("gpt2", null);
        PRE_TOKENIZERS.put("smollm", null);
        PRE_TOKENIZERS.put("llama-bpe", LLAMA3_SPLIT);
        PRE_TOKENIZERS.put("llama3", LLAMA3_SPLIT);
        PRE_TOKENIZERS.put("llama-v3", LLAMA3_SPLIT);
        PRE_TOKENIZERS.put("smaug-bpe", LLAMA3_SPLIT);
        PRE_TOKENIZERS.put("dbrx", LLAMA3_SPLIT);
        PRE_TOKENIZERS.put("qwen2", QWEN2_SPLIT);
        PRE_TOKENIZERS.put("deepseek-r1-qwen", QWEN2_SPLIT);
    }

    private final JsonObject tokenizer;
    private final JsonObject config;
    private final String chatTemplate;
    private final JsonObject generationConfig;

    private GgufTokenizer(JsonObject tokenizer, JsonObject config, String chatTemplate, JsonObject generationConfig) {
        this.tokenizer = tokenizer;
        this.config = config;
        this.chatTemplate = chatTemplate;
        this.generationConfig = generationConfig;
    }

    /** Builds the tokenizer files from the metadata of {@code f}. */
    public static GgufTokenizer of(GgufFile f) {
        String model = f.string("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new GgufException(f.path() + ": tokenizer.ggml.model is '" + model
                    + "'; claws rebuilds byte-level BPE tokenizers only (gpt2)");
        }
        String pre = f.has("tokenizer.ggml.pre") ? f.string("tokenizer.ggml.pre") : "default";
        if (!PRE_TOKENIZERS.containsKey(pre)) {
            throw new GgufException(f.path() + ": pre-tokenizer '" + pre + "' (tokenizer.ggml.pre) is not supported "
                    + "(supported: " + String.join(", ", PRE_TOKENIZERS.keySet()) + ")");
        }
        List<?> tokens = f.array("tokenizer.ggml.tokens");
        List<?> types = f.has("tokenizer.ggml.token_type") ? f.array("tokenizer.ggml.token_type") : List.of();
        List<?> merges = f.array("tokenizer.ggml.merges");

        String[] alphabet = ByteLevelAlphabet.symbols();
        Set<Integer> spelled = new HashSet<>();
        for (String c : alphabet) {
            spelled.add(c.codePointAt(0));
        }
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.addProperty(byteLevel((String) tokens.get(id), spelled, alphabet), id);
        }
        JsonArray mergeList = new JsonArray();
        for (Object m : merges) {
            String s = (String) m;
            int space = s.indexOf(' ');
            if (space <= 0 || space == s.length() - 1) {
                throw new GgufException(f.path() + ": merge '" + s + "' is not two tokens separated by a space");
            }
            JsonArray pair = new JsonArray();
            pair.add(s.substring(0, space));
            pair.add(s.substring(space + 1));
            mergeList.add(pair);
        }
        JsonArray added = new JsonArray();
        for (int id = 0; id < Math.min(types.size(), tokens.size()); id++) {
            int type = (int) (long) (Long) types.get(id);
            String token = (String) tokens.get(id);
            // a token not spelled in the byte alphabet is a llama.cpp mislabel (CONTROL) or not in the vocabulary
            // under that spelling (USER_DEFINED); transformers skips both, and so does this
            boolean whole = token.codePoints().allMatch(spelled::contains);
            boolean control = type == CONTROL && whole;
            if (control || type == USER_DEFINED && whole) {
                JsonObject a = new JsonObject();
                a.addProperty("id", id);
                a.addProperty("content", token);
                a.addProperty("single_word", false);
                a.addProperty("lstrip", false);
                a.addProperty("rstrip", false);
                a.addProperty("normalized", false);
                a.addProperty("special", control);
                added.add(a);
            }
        }

        Integer bos = optId(f, "tokenizer.ggml.bos_token_id", tokens.size());
        Integer eos = optId(f, "tokenizer.ggml.eos_token_id", tokens.size());
        Integer unk = optId(f, "tokenizer.ggml.unknown_token_id", tokens.size());
        Integer pad = optId(f, "tokenizer.ggml.padding_token_id", tokens.size());
        boolean addBos = f.bool("tokenizer.ggml.add_bos_token", false);
        boolean addEos = f.bool("tokenizer.ggml.add_eos_token", false);
        if (addBos && bos == null || addEos && eos == null) {
            throw new GgufException(f.path() + ": the tokenizer adds a BOS/EOS token but names no bos/eos token id");
        }

        JsonObject bpe = new JsonObject();
        bpe.addProperty("type", "BPE");
        bpe.add("dropout", JsonNull.INSTANCE);
        bpe.add("unk_token", JsonNull.INSTANCE);
        bpe.addProperty("continuing_subword_prefix", "");
        bpe.addProperty("end_of_word_suffix", "");
        bpe.addProperty("fuse_unk", false);
        bpe.addProperty("byte_fallback", false);
        bpe.addProperty("ignore_merges", false);
        bpe.add("vocab", vocab);
        bpe.add("merges", mergeList);

        JsonObject t = new JsonObject();
        t.addProperty("version", "1.0");
        t.add("truncation", JsonNull.INSTANCE);
        t.add("padding", JsonNull.INSTANCE);
        t.add("added_tokens", added);
        t.add("normalizer", JsonNull.INSTANCE);
        t.add("pre_tokenizer", preTokenizer(PRE_TOKENIZERS.get(pre)));
        t.add("post_processor", postProcessor(addBos ? (String) tokens.get(bos) : null, bos,
                addEos ? (String) tokens.get(eos) : null, eos));
        t.add("decoder", byteLevel(true, true));
        t.add("model", bpe);

        String template = f.has("tokenizer.chat_template") ? f.string("tokenizer.chat_template") : null;
        JsonObject c = new JsonObject();
        c.addProperty("add_bos_token", addBos);
        c.addProperty("add_eos_token", addEos);
        c.add("bos_token", tokenOrNull(tokens, bos));
        c.add("eos_token", tokenOrNull(tokens, eos));
        c.add("unk_token", tokenOrNull(tokens, unk));
        c.add("pad_token", tokenOrNull(tokens, pad));
        c.addProperty("clean_up_tokenization_spaces", false);
        c.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        if (template != null) {
            c.addProperty("chat_template", template);
        }

        JsonObject g = new JsonObject();
        if (bos != null) {
            g.addProperty("bos_token_id", bos);
        }
        if (eos != null) {
            g.addProperty("eos_token_id", eos);
        }
        if (pad != null) {
            g.addProperty("pad_token_id", pad);
        }
        return new GgufTokenizer(t, c, template, g);
    }

    private static Integer optId(GgufFile f, String key, int vocab) {
        if (!f.has(key)) {
            return null;
        }
        long id = f.integer(key);
        if (id < 0 || id >= vocab) {
            throw new GgufException(f.path() + ": " + key + " is " + id + ", outside the vocabulary 0.." + (vocab - 1));
        }
        return (int) id;
    }

    private static com.google.gson.JsonElement tokenOrNull(List<?> tokens, Integer id) {
        return id == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive((String) tokens.get(id));
    }

    private static JsonObject byteLevel(boolean addPrefixSpace, boolean useRegex) {
        JsonObject b = new JsonObject();
        b.addProperty("type", "ByteLevel");
        b.addProperty("add_prefix_space", addPrefixSpace);
        b.addProperty("trim_offsets", true);
        b.addProperty("use_regex", useRegex);
        return b;
    }

    private static JsonObject preTokenizer(String splitRegex) {
        if (splitRegex == null) {
            return byteLevel(false, true);
        }
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", splitRegex);
        JsonObject split = new JsonObject();
        split.addProperty("type", "Split");
        split.add("pattern", pattern);
        split.addProperty("behavior", "Isolated");
        split.addProperty("invert", false);
        JsonArray seq = new JsonArray();
        seq.add(split);
        seq.add(byteLevel(false, false));
        JsonObject s = new JsonObject();
        s.addProperty("type", "Sequence");
        s.add("pretokenizers", seq);
        return s;
    }

    /** TemplateProcessing: "[bos] $A [eos]" and "[bos] $A [eos] [bos] $B:1 [eos]:1" with the enabled ends. */
    private static JsonObject postProcessor(String bos, Integer bosId, String eos, Integer eosId) {
        JsonArray single = new JsonArray();
        JsonArray pair = new JsonArray();
        JsonObject specials = new JsonObject();
        for (int seq = 0; seq < 2; seq++) {
            JsonArray target = seq == 0 ? single : pair;
            for (int part = 0; part < (seq == 0 ? 1 : 2); part++) {
                if (bos != null) {
                    target.add(special(bos, part));
                }
                JsonObject s = new JsonObject();
                s.addProperty("id", part == 0 ? "A" : "B");
                s.addProperty("type_id", part);
                JsonObject w = new JsonObject();
                w.add("Sequence", s);
                target.add(w);
                if (eos != null) {
                    target.add(special(eos, part));
                }
            }
        }
        if (bos != null) {
            specials.add(bos, specialEntry(bos, bosId));
        }
        if (eos != null) {
            specials.add(eos, specialEntry(eos, eosId));
        }
        JsonObject p = new JsonObject();
        p.addProperty("type", "TemplateProcessing");
        p.add("single", single);
        p.add("pair", pair);
        p.add("special_tokens", specials);
        return p;
    }

    private static JsonObject special(String token, int typeId) {
        JsonObject s = new JsonObject();
        s.addProperty("id", token);
        s.addProperty("type_id", typeId);
        JsonObject w = new JsonObject();
        w.add("SpecialToken", s);
        return w;
    }

    private static JsonObject specialEntry(String token, int id) {
        JsonObject e = new JsonObject();
        e.addProperty("id", token);
        JsonArray ids = new JsonArray();
        ids.add(id);
        e.add("ids", ids);
        JsonArray toks = new JsonArray();
        toks.add(token);
        e.add("tokens", toks);
        return e;
    }

    /** The token as the byte-level vocabulary spells it: unchanged when already spelled in the byte alphabet. */
    private static String byteLevel(String token, Set<Integer> spelled, String[] alphabet) {
        if (token.codePoints().allMatch(spelled::contains)) {
            return token;
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            sb.append(alphabet[b & 0xff]);
        }
        return sb.toString();
    }

    public JsonObject tokenizerJson() {
        return tokenizer.deepCopy();
    }

    public JsonObject tokenizerConfig() {
        return config.deepCopy();
    }

    /** The chat template, or null when the file has none. */
    public String chatTemplate() {
        return chatTemplate;
    }

    /**
     * Writes tokenizer.json, tokenizer_config.json, generation_config.json and (when the file has a chat template)
     * chat_template.jinja into {@code directory}.
     */
    public void write(Path directory) {
        try {
            Files.writeString(directory.resolve(TextTokenizer.FILE_NAME),
                    new GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(tokenizer),
                    StandardCharsets.UTF_8);
            Files.writeString(directory.resolve(CONFIG_FILE), pretty(config), StandardCharsets.UTF_8);
            Files.writeString(directory.resolve(GENERATION_CONFIG_FILE), pretty(generationConfig),
                    StandardCharsets.UTF_8);
            if (chatTemplate != null) {
                Files.writeString(directory.resolve(CHAT_TEMPLATE_FILE), chatTemplate, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new GgufException("cannot write the tokenizer files into " + directory + ": " + e.getMessage(), e);
        }
    }

    private static String pretty(JsonObject o) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(o) + "\n";
    }
}

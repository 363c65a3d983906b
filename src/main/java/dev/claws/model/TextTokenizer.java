package dev.claws.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claws.model.io.CheckpointException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face tokenizer.json loaded through DJL's tokenizers binding (local file only; nothing is downloaded).
 * No truncation and no padding: callers decide sequence limits. Thread-safe.
 *
 * <p>Special-token literals: like Hugging Face's default tokenizer call, {@link #encode(String, boolean)} turns the
 * text of a special token found in the input (e.g. {@code <|endoftext|>}, {@code <|im_start|>}) into that control
 * token. With {@code parseSpecialTokens = false} such text is ordinary text, tokenised like any other characters, as
 * tokenizers' {@code encode_special_tokens = True} (transformers' {@code split_special_tokens=True}) does: the special
 * entries of {@code added_tokens} are not matched; non-special added tokens still are.
 */
public final class TextTokenizer implements AutoCloseable {

    public static final String FILE_NAME = "tokenizer.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    /** The same tokenizer without the special entries of added_tokens: special-token text stays plain text. */
    private final HuggingFaceTokenizer plainText;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, HuggingFaceTokenizer plainText) {
        this.tokenizer = tokenizer;
        this.plainText = plainText;
    }

    /** Loads {@code tokenizer.json} from a checkpoint directory, or the file itself. */
    public static TextTokenizer load(Path dirOrFile) {
        System.setProperty("ai.djl.offline", "true");
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("tokenizer.json not found: " + file);
        }
        HuggingFaceTokenizer t = null;
        try {
            t = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            return new TextTokenizer(t, withoutSpecialAddedTokens(file));
        } catch (IOException | RuntimeException e) {
            if (t != null) {
                t.close();
            }
            throw new CheckpointException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    private static HuggingFaceTokenizer withoutSpecialAddedTokens(Path file) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        JsonNode added = root.get("added_tokens");
        if (added != null && added.isArray()) {
            ArrayNode kept = JSON.createArrayNode();
            for (JsonNode token : added) {
                if (!token.path("special").asBoolean(false)) {
                    kept.add(token);
                }
            }
            root.set("added_tokens", kept);
        }
        try (InputStream in = new ByteArrayInputStream(JSON.writeValueAsBytes(root))) {
            return HuggingFaceTokenizer.newInstance(in, Map.of("addSpecialTokens", "false", "truncation", "false",
                    "padding", "false"));
        }
    }

    /**
     * Token ids of {@code text}, special-token literals in it becoming control tokens; {@code addSpecialTokens}
     * applies the tokenizer's post-processor (e.g. a BOS).
     */
    public long[] encode(String text, boolean addSpecialTokens) {
        return encode(text, addSpecialTokens, true);
    }

    /**
     * Like {@link #encode(String, boolean)}; with {@code parseSpecialTokens = false} the text of a special token is
     * tokenised as plain text (the post-processor's own special tokens are still added when asked for).
     */
    public long[] encode(String text, boolean addSpecialTokens, boolean parseSpecialTokens) {
        HuggingFaceTokenizer t = parseSpecialTokens ? tokenizer : plainText;
        return t.encode(text, addSpecialTokens, false).getIds();
    }

    public long[] encode(String text) {
        return encode(text, false);
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    public String decode(long[] ids) {
        return decode(ids, false);
    }

    @Override
    public void close() {
        tokenizer.close();
        plainText.close();
    }
}

package dev.claws.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.claws.model.io.CheckpointException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face tokenizer.json loaded through DJL's tokenizers binding (local file only; nothing is downloaded).
 * No truncation and no padding: callers decide sequence limits. Thread-safe.
 */
public final class TextTokenizer implements AutoCloseable {

    public static final String FILE_NAME = "tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads {@code tokenizer.json} from a checkpoint directory, or the file itself. */
    public static TextTokenizer load(Path dirOrFile) {
        System.setProperty("ai.djl.offline", "true");
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("tokenizer.json not found: " + file);
        }
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            return new TextTokenizer(t);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of {@code text}; {@code addSpecialTokens} applies the tokenizer's post-processor (e.g. a BOS). */
    public long[] encode(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false).getIds();
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
    }
}

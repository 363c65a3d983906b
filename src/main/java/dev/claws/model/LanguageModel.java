package dev.claws.model;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A decoder with its tokenizer: text in, text out, with stop sequences and streaming of text pieces. Streamed text
 * never contains a stop sequence (a tail that could still become one is held back) or a split UTF-8 character, and
 * stop sequences are matched only against complete characters ({@link StopSequenceStream}).
 */
public final class LanguageModel implements AutoCloseable {

    private final DecoderModel model;
    private final TextTokenizer tokenizer;

    public LanguageModel(DecoderModel model, TextTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Loads config.json, the safetensors weights and tokenizer.json from one checkpoint directory. */
    public static LanguageModel load(Path directory, EngineOptions options) {
        DecoderModel m = DecoderModel.load(directory, options);
        try {
            return new LanguageModel(m, TextTokenizer.load(directory));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public DecoderModel model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public TextGeneration generate(String prompt, GenerationSettings settings, List<String> stopSequences,
                                   TextGeneration.TextListener listener, BooleanSupplier cancelled) {
        return generate(prompt, settings, stopSequences, TokenListener.NONE, listener, cancelled);
    }

    /**
     * Like {@link #generate(String, GenerationSettings, List, TextGeneration.TextListener, BooleanSupplier)}, and
     * {@code tokens} sees every generated token id as soon as it is chosen, before the text it completes is streamed
     * (streaming clients want the ids even while text is held back). Returning false from it ends the generation like
     * a stop sequence does.
     */
    public TextGeneration generate(String prompt, GenerationSettings settings, List<String> stopSequences,
                                   TokenListener tokens, TextGeneration.TextListener listener,
                                   BooleanSupplier cancelled) {
        return generate(prompt, settings, stopSequences, tokens, listener, cancelled, null);
    }

    /**
     * Like {@link #generate(String, GenerationSettings, List, TokenListener, TextGeneration.TextListener,
     * BooleanSupplier)}, with the decode steps run as rows of {@code batch} (null: decoded alone). The tokens are
     * the same either way; with a batch the listeners are called from the batch's decoding thread.
     */
    public TextGeneration generate(String prompt, GenerationSettings settings, List<String> stopSequences,
                                   TokenListener tokens, TextGeneration.TextListener listener,
                                   BooleanSupplier cancelled, DecodeBatch batch) {
        return generate(prompt, true, settings, stopSequences, tokens, listener, cancelled, batch);
    }

    /**
     * Like {@link #generate(String, GenerationSettings, List, TokenListener, TextGeneration.TextListener,
     * BooleanSupplier, DecodeBatch)}; {@code parseSpecialTokens = false} reads special-token text in the prompt as
     * plain text ({@link TextTokenizer#encode(String, boolean, boolean)}).
     */
    public TextGeneration generate(String prompt, boolean parseSpecialTokens, GenerationSettings settings,
                                   List<String> stopSequences, TokenListener tokens,
                                   TextGeneration.TextListener listener, BooleanSupplier cancelled,
                                   DecodeBatch batch) {
        TokenListener tokenSink = tokens == null ? TokenListener.NONE : tokens;
        long[] promptIds = tokenizer.encode(prompt, true, parseSpecialTokens);
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("prompt must encode to at least one token");
        }
        StopSequenceStream stream = new StopSequenceStream(tokenizer, stopSequences, listener);
        TokenListener streamed = tokenId -> {
            boolean go = tokenSink.onToken(tokenId);
            return stream.accept(tokenId) && go;
        };
        GenerationResult r = batch == null ? model.generate(promptIds, settings, streamed, cancelled)
                : batch.generate(promptIds, settings, streamed, cancelled);
        if (r.finishReason() != StopReason.STOP_SEQUENCE) {
            stream.finish(r.tokenIds().length == 0 ? -1 : r.tokenIds()[r.tokenIds().length - 1]);
        }
        return new TextGeneration(stream.text(), r.tokenIds(), promptIds, r.finishReason(), r.timings());
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}

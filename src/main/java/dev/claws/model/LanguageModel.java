package dev.claws.model;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A decoder with its tokenizer: text in, text out, with stop sequences and streaming of text pieces. Streamed text
 * never contains a stop sequence (a tail that could still become one is held back) or a split UTF-8 character.
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
        TokenListener tokenSink = tokens == null ? TokenListener.NONE : tokens;
        long[] promptIds = tokenizer.encode(prompt, true);
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("prompt must encode to at least one token");
        }
        List<String> stops = stopSequences == null ? List.of() : stopSequences.stream().filter(s -> !s.isEmpty())
                .toList();
        TextGeneration.TextListener out = listener == null ? TextGeneration.TextListener.NONE : listener;
        StreamState state = new StreamState(stops);
        TokenListener streamed = tokenId -> {
            boolean go = tokenSink.onToken(tokenId);
            state.ids = append(state.ids, tokenId);
            String text = tokenizer.decode(state.ids, true);
            int stopAt = state.findStop(text);
            if (stopAt >= 0) {
                state.text = text.substring(0, stopAt);
                emit(state, state.text.length(), tokenId, out);
                return false;
            }
            state.text = text;
            emit(state, state.safeLength(text), tokenId, out);
            return go;
        };
        GenerationResult r = batch == null ? model.generate(promptIds, settings, streamed, cancelled)
                : batch.generate(promptIds, settings, streamed, cancelled);
        if (r.finishReason() != FinishReason.STOP_SEQUENCE) {
            emit(state, state.text.length(), r.tokenIds().length == 0 ? -1 : r.tokenIds()[r.tokenIds().length - 1],
                    out);
        }
        return new TextGeneration(state.text, r.tokenIds(), promptIds, r.finishReason(), r.timings());
    }

    private static void emit(StreamState s, int upTo, long tokenId, TextGeneration.TextListener out) {
        if (upTo > s.emitted) {
            out.onText(s.text.substring(s.emitted, upTo), tokenId);
            s.emitted = upTo;
        }
    }

    private static long[] append(long[] ids, long id) {
        long[] n = java.util.Arrays.copyOf(ids, ids.length + 1);
        n[ids.length] = id;
        return n;
    }

    /** Per-call decoding state of the streamed text. */
    private static final class StreamState {
        final List<String> stops;
        long[] ids = new long[0];
        String text = "";
        int emitted;

        StreamState(List<String> stops) {
            this.stops = stops;
        }

        int findStop(String text) {
            int best = -1;
            for (String s : stops) {
                int at = text.indexOf(s, Math.max(0, emitted - s.length()));
                if (at >= 0 && (best < 0 || at < best)) {
                    best = at;
                }
            }
            return best;
        }

        /** Length of text that is final: no trailing replacement char, no tail that may start a stop sequence. */
        int safeLength(String text) {
            int end = text.length();
            while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
                end--;
            }
            int hold = 0;
            for (String s : stops) {
                for (int k = Math.min(s.length() - 1, end); k > hold; k--) {
                    if (text.startsWith(s.substring(0, k), end - k)) {
                        hold = k;
                        break;
                    }
                }
            }
            return Math.max(emitted, end - hold);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}

package dev.claws.model;

import java.util.Arrays;
import java.util.List;

/**
 * The text of one generation as its tokens arrive: detokenises the tokens so far, ends the generation at the first
 * stop sequence, and streams the pieces of text that are final.
 *
 * <p>Stop sequences are matched only against complete characters of the text the client receives. While a character
 * is split across tokens, the detokenised text ends in U+FFFD for its first bytes; that trailing run is neither
 * matched nor streamed until the next token completes it (or the generation ends). A stop of {@code "\uFFFD"} thus
 * matches only a replacement character the client receives for bytes that can never form a character (one followed
 * by more text). Streamed text never contains a stop sequence either: a tail that could still become one is held
 * back. Not thread-safe: one instance per generation, fed from one thread at a time.
 */
final class StopSequenceStream {

    private final TextTokenizer tokenizer;
    private final List<String> stops;
    private final TextGeneration.TextListener out;
    private long[] ids = new long[0];
    private String text = "";
    private int emitted;

    /** @param stops stop sequences (empty ones are ignored); {@code out} may be null */
    StopSequenceStream(TextTokenizer tokenizer, List<String> stops, TextGeneration.TextListener out) {
        this.tokenizer = tokenizer;
        this.stops = stops == null ? List.of() : stops.stream().filter(s -> !s.isEmpty()).toList();
        this.out = out == null ? TextGeneration.TextListener.NONE : out;
    }

    /** Adds a generated token; false when the text now contains a stop sequence (the text is cut before it). */
    boolean accept(long tokenId) {
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = tokenId;
        String decoded = tokenizer.decode(ids, true);
        int stopAt = findStop(decoded, completeLength(decoded));
        if (stopAt >= 0) {
            text = decoded.substring(0, stopAt);
            emit(text.length(), tokenId);
            return false;
        }
        text = decoded;
        emit(safeLength(decoded), tokenId);
        return true;
    }

    /** The generation ended without a stop sequence: whatever was held back is final now and streamed. */
    void finish(long lastTokenId) {
        emit(text.length(), lastTokenId);
    }

    /** The text so far (after {@link #finish}: the whole text the client receives). */
    String text() {
        return text;
    }

    private void emit(int upTo, long tokenId) {
        if (upTo > emitted) {
            out.onText(text.substring(emitted, upTo), tokenId);
            emitted = upTo;
        }
    }

    /** Where the first stop sequence starts in {@code text[0, complete)}, or -1. */
    private int findStop(String decoded, int complete) {
        String searched = decoded.substring(0, complete);
        int best = -1;
        for (String s : stops) {
            int at = searched.indexOf(s, Math.max(0, emitted - s.length()));
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of {@code text} without its trailing U+FFFD run (bytes that may still become a character). */
    static int completeLength(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return end;
    }

    /** Length of text that is final: only complete characters, and no tail that may start a stop sequence. */
    private int safeLength(String decoded) {
        int end = completeLength(decoded);
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, end); k > hold; k--) {
                if (decoded.startsWith(s.substring(0, k), end - k)) {
                    hold = k;
                    break;
                }
            }
        }
        return Math.max(emitted, end - hold);
    }
}

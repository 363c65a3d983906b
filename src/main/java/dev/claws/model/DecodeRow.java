package dev.claws.model;

import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The per-request state of one generation, whichever loop decodes it (alone, or as a row of a {@link DecodeBatch}):
 * its own sampler (own RNG), the tokens chosen so far, stop rules, listener, cancellation check and timings.
 */
final class DecodeRow {

    private final long[] prompt;
    private final int maxNewTokens;
    private final Sampler sampler;
    private final List<Integer> stops;
    private final TokenListener sink;
    private final BooleanSupplier cancel;
    private final long[] out;
    private final long start = System.nanoTime();
    private int produced;
    private StopReason reason = StopReason.LENGTH;
    private long firstTokenAt = start;
    private long end;

    DecodeRow(ModelConfig config, long[] prompt, GenerationSettings settings, TokenListener listener,
              BooleanSupplier cancelled) {
        this.prompt = prompt;
        this.maxNewTokens = settings.maxNewTokens();
        this.sampler = new Sampler(settings);
        this.stops = settings.stopTokenIds() == null ? config.eosTokenIds() : settings.stopTokenIds();
        this.sink = listener == null ? TokenListener.NONE : listener;
        this.cancel = cancelled == null ? () -> false : cancelled;
        this.out = new long[maxNewTokens];
    }

    long[] prompt() {
        return prompt;
    }

    /** Positions this row needs in a KV cache: prompt plus every token it may still be fed. */
    int capacityNeeded() {
        return prompt.length + maxNewTokens;
    }

    /** The token to feed next (the last one chosen). */
    long lastToken() {
        return out[produced - 1];
    }

    /** True (and the row finishes as CANCELLED) when the caller asked to stop; checked before every step. */
    boolean cancelRequested() {
        if (cancel.getAsBoolean()) {
            reason = StopReason.CANCELLED;
            return true;
        }
        return false;
    }

    /** Chooses the next token from this row's last-position logits and records it; true when the row goes on. */
    boolean accept(ai.djl.ndarray.NDArray logits) {
        long next = sampler.next(logits, produced);
        if (produced == 0) {
            firstTokenAt = System.nanoTime();
        }
        out[produced++] = next;
        if (!sink.onToken(next)) {
            reason = StopReason.STOP_SEQUENCE;
            return false;
        }
        if (stops.contains((int) next)) {
            reason = StopReason.STOP_TOKEN;
            return false;
        }
        return produced < maxNewTokens;
    }

    /** Marks the end of decoding (the decode time runs until here). */
    void finish() {
        if (end == 0) {
            end = System.nanoTime();
        }
    }

    GenerationResult result() {
        finish();
        long prefill = produced == 0 ? end - start : firstTokenAt - start;
        long decode = produced == 0 ? 0 : end - firstTokenAt;
        return new GenerationResult(Arrays.copyOf(out, produced), reason,
                new GenerationTimings(prefill, decode, prompt.length, produced));
    }
}

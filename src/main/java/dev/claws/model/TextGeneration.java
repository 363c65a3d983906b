package dev.claws.model;

/**
 * A text generation outcome.
 *
 * @param text         the generated text (a matched stop sequence and anything after it removed)
 * @param tokenIds     generated token ids (up to and including the token that completed a stop sequence)
 * @param promptIds    the prompt's token ids
 * @param finishReason why it ended
 * @param timings      prefill/decode timings and token counts
 */
public record TextGeneration(String text, long[] tokenIds, long[] promptIds, StopReason finishReason,
                             GenerationTimings timings) {

    public TextGeneration {
        tokenIds = tokenIds.clone();
        promptIds = promptIds.clone();
    }

    @Override
    public long[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public long[] promptIds() {
        return promptIds.clone();
    }

    /** Listener for streamed text: receives each new piece of text as soon as it is final. */
    @FunctionalInterface
    public interface TextListener {
        TextListener NONE = (piece, tokenId) -> { };

        void onText(String piece, long tokenId);
    }
}

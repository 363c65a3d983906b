package dev.claws.serve;

import dev.claws.model.StopReason;

/**
 * The outcome of a served generation.
 *
 * @param variant          the variant that served it
 * @param text             generated text (stop sequence removed)
 * @param tokenIds         all generated token ids
 * @param trailingTokenIds the last token ids that no streamed piece carried (their text was held back or empty)
 * @param finishReason     why it ended
 * @param timing           where the time went
 */
public record ServedGeneration(String variant, String text, long[] tokenIds, long[] trailingTokenIds,
                               StopReason finishReason, RequestTiming timing) {

    public ServedGeneration {
        tokenIds = tokenIds.clone();
        trailingTokenIds = trailingTokenIds.clone();
    }

    @Override
    public long[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public long[] trailingTokenIds() {
        return trailingTokenIds.clone();
    }
}

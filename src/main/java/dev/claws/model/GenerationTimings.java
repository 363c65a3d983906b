package dev.claws.model;

/**
 * Where the time of one generation went.
 *
 * @param prefillNanos    from the start until the first new token was chosen (the whole prompt's forward pass)
 * @param decodeNanos     from then until the last token was chosen (one forward pass per further token)
 * @param promptTokens    tokens in the prompt
 * @param generatedTokens tokens generated (including a final stop token)
 */
public record GenerationTimings(long prefillNanos, long decodeNanos, int promptTokens, int generatedTokens) {

    /** Decode steps after the first token, the ones {@link #decodeNanos} covers. */
    public int decodeSteps() {
        return Math.max(0, generatedTokens - 1);
    }

    public double nanosPerDecodedToken() {
        return decodeSteps() == 0 ? 0 : (double) decodeNanos / decodeSteps();
    }

    /** Decode throughput: tokens per second after the first token. */
    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : decodeSteps() * 1e9 / decodeNanos;
    }

    /** End-to-end throughput: generated tokens over prefill plus decode time. */
    public double tokensPerSecond() {
        long total = prefillNanos + decodeNanos;
        return total == 0 ? 0 : generatedTokens * 1e9 / total;
    }
}

package dev.claws.model;

/** The tokens a generation produced (prompt excluded), why it stopped, and its timings. */
public record GenerationResult(long[] tokenIds, StopReason finishReason, GenerationTimings timings) {

    public GenerationResult {
        tokenIds = tokenIds.clone();
    }

    @Override
    public long[] tokenIds() {
        return tokenIds.clone();
    }
}

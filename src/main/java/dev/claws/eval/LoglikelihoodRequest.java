package dev.claws.eval;

import java.util.Objects;

/** One harness loglikelihood request as strings: score {@code continuation} after {@code context}. */
public record LoglikelihoodRequest(String context, String continuation) {
    public LoglikelihoodRequest {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(continuation, "continuation");
    }
}

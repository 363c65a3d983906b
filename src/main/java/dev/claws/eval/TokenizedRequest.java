package dev.claws.eval;

import java.util.Arrays;

/** A loglikelihood request as the model sees it: context tokens, then the continuation tokens to score. */
public record TokenizedRequest(int[] context, int[] continuation) {
    public TokenizedRequest {
        context = context.clone();
        continuation = continuation.clone();
    }

    @Override
    public int[] context() {
        return context.clone();
    }

    @Override
    public int[] continuation() {
        return continuation.clone();
    }

    public int length() {
        return context.length + continuation.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedRequest other
                && Arrays.equals(context, other.context) && Arrays.equals(continuation, other.continuation);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(context) + Arrays.hashCode(continuation);
    }

    @Override
    public String toString() {
        return "TokenizedRequest[context=" + Arrays.toString(context) + ", continuation=" + Arrays.toString(continuation) + "]";
    }
}

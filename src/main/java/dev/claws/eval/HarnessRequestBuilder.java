package dev.claws.eval;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Turns string requests into model inputs exactly as lm-evaluation-harness (v0.4.x, causal backend) does:
 * {@code loglikelihood} / {@code _encode_pair} for tokenization, {@code _loglikelihood_tokens} for truncation.
 */
public final class HarnessRequestBuilder {
    private final Function<String, int[]> encoder;
    private final int prefixTokenId;
    private final int maxLength;

    public HarnessRequestBuilder(LanguageModelScorer model) {
        this(model::encode, model.eotTokenId(), model.maxLength());
    }

    /**
     * @param encoder text to token ids without special tokens
     * @param prefixTokenId the context token of requests with an empty context
     * @param maxLength the longest model input in tokens
     */
    public HarnessRequestBuilder(Function<String, int[]> encoder, int prefixTokenId, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("max_length: must be at least 1, got " + maxLength);
        }
        this.encoder = encoder;
        this.prefixTokenId = prefixTokenId;
        this.maxLength = maxLength;
    }

    /** Tokenizes, then truncates to the model's maximum length. */
    public TokenizedRequest build(LoglikelihoodRequest request) {
        return truncate(tokenize(request), maxLength);
    }

    /**
     * Tokenization of one request.
     * <ul>
     *   <li>Empty context: the continuation is encoded alone and the prefix token (the prefix token, {@link LanguageModelScorer#eotTokenId})
     *       becomes the context; if the continuation already starts with that token, its first token becomes the
     *       context instead (harness 0.4.13).</li>
     *   <li>Otherwise trailing whitespace of the context moves to the front of the continuation; the whole string and the
     *       context are encoded separately and the continuation tokens are {@code whole[len(context_tokens):]}: the
     *       context tokens are not re-derived from {@code whole}, so a merge across the boundary is kept as the harness
     *       keeps it.</li>
     * </ul>
     */
    public TokenizedRequest tokenize(LoglikelihoodRequest request) {
        String context = request.context();
        String continuation = request.continuation();
        if (context.isEmpty()) {
            int[] cont = encoder.apply(continuation);
            if (cont.length == 0) {
                throw new IllegalArgumentException("continuation: must encode to at least one token when the context is empty");
            }
            int prefix = prefixTokenId;
            if (cont[0] != prefix) {
                return new TokenizedRequest(new int[] {prefix}, cont);
            }
            return new TokenizedRequest(new int[] {cont[0]}, Arrays.copyOfRange(cont, 1, cont.length));
        }
        String stripped = PythonText.rstrip(context);
        if (stripped.length() < context.length()) {
            continuation = context.substring(stripped.length()) + continuation;
            context = stripped;
        }
        int[] whole = encoder.apply(context + continuation);
        int[] contextTokens = encoder.apply(context);
        int split = Math.min(contextTokens.length, whole.length);
        return new TokenizedRequest(contextTokens, Arrays.copyOfRange(whole, split, whole.length));
    }

    /**
     * Left truncation: the model input is {@code (context ++ continuation)[-(maxLength+1):][:-1]}, so at most
     * {@code maxLength + 1} tokens are kept and the context loses its oldest tokens first.
     *
     * @throws IllegalArgumentException when the continuation is empty or longer than {@code maxLength} tokens (the
     *     harness asserts both), or when the context is empty
     */
    public static TokenizedRequest truncate(TokenizedRequest request, int maxLength) {
        int[] context = request.context();
        int[] continuation = request.continuation();
        if (context.length == 0) {
            throw new IllegalArgumentException("context: must hold at least one token");
        }
        if (continuation.length == 0 || continuation.length > maxLength) {
            throw new IllegalArgumentException(
                    "continuation: must hold 1 to " + maxLength + " tokens, got " + continuation.length);
        }
        int excess = context.length + continuation.length - (maxLength + 1);
        if (excess <= 0) {
            return request;
        }
        return new TokenizedRequest(Arrays.copyOfRange(context, excess, context.length), continuation);
    }
}

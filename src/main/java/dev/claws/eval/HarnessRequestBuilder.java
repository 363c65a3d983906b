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
     *   <li>Trailing whitespace of the context (Python's {@code str.isspace}) moves to the front of the continuation.</li>
     *   <li>A context that is then empty (it was empty or only whitespace), or that encodes to no token: the
     *       continuation is encoded alone and the prefix token ({@link LanguageModelScorer#eotTokenId}) becomes the
     *       context; if the continuation already starts with that token, its first token becomes the context instead
     *       (harness 0.4.13). The harness takes this path only for the exact empty string and would hand a
     *       whitespace-only context to {@code _encode_pair}, which leaves no context token to predict the first
     *       continuation token from; after its own whitespace move the request is the empty-context one, so that is
     *       how it is scored here: {@code (" ", "Hello")} scores exactly like {@code ("", " Hello")}.</li>
     *   <li>Otherwise the whole string and the context are encoded separately and the continuation tokens are
     *       {@code whole[len(context_tokens):]}: the context tokens are not re-derived from {@code whole}, so a merge
     *       across the boundary is kept as the harness keeps it.</li>
     * </ul>
     *
     * @throws IllegalArgumentException when the continuation adds no token (the caller's input is unusable)
     */
    public TokenizedRequest tokenize(LoglikelihoodRequest request) {
        String context = request.context();
        String continuation = request.continuation();
        String stripped = PythonText.rstrip(context);
        if (stripped.length() < context.length()) {
            continuation = context.substring(stripped.length()) + continuation;
            context = stripped;
        }
        int[] contextTokens = context.isEmpty() ? new int[0] : encoder.apply(context);
        if (contextTokens.length == 0) {
            int[] cont = encoder.apply(context + continuation);
            if (cont.length == 0) {
                throw new IllegalArgumentException("continuation: must encode to at least one token when the context is empty");
            }
            int prefix = prefixTokenId;
            if (cont[0] != prefix) {
                return new TokenizedRequest(new int[] {prefix}, cont);
            }
            return new TokenizedRequest(new int[] {cont[0]}, Arrays.copyOfRange(cont, 1, cont.length));
        }
        int[] whole = encoder.apply(context + continuation);
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

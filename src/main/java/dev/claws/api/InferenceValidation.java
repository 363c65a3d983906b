package dev.claws.api;

import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.ScoreRequest;
import dev.claws.eval.TokenizedRequest;
import dev.claws.model.GenerationSettings;
import dev.claws.serve.GenerationRequest;
import dev.claws.serve.ResidentVariant;
import java.util.List;

/**
 * Checks Generate and Score requests against the contract (proto/claws/v1/inference.proto) and the chosen variant;
 * each failure is INVALID_ARGUMENT naming the field and its allowed range.
 */
final class InferenceValidation {

    static final int DEFAULT_MAX_NEW_TOKENS = 128;
    static final int MAX_NEW_TOKENS = 4096;
    static final double MAX_TEMPERATURE = 5.0;
    static final int MAX_STOP_SEQUENCES = 4;
    static final int MAX_STOP_LENGTH = 64;
    static final int MAX_CONTINUATIONS = 64;

    private InferenceValidation() {
    }

    /** The variant a request names: empty means the default base model. */
    static String variantName(String requested, String defaultName) {
        return requested.isEmpty() ? defaultName : Validation.variantName("variant", requested);
    }

    /** Checks what does not need the model (before the variant is looked up). */
    static void checkGenerate(GenerateRequest r) {
        if (r.getPrompt().isEmpty()) {
            throw Rpc.invalid("prompt must not be empty: give at least one character of UTF-8 text");
        }
        maxNewTokens(r.getMaxNewTokens());
        float t = r.getTemperature();
        if (!(t >= 0 && t <= MAX_TEMPERATURE)) {
            throw Rpc.invalid("temperature must be between 0.0 and " + MAX_TEMPERATURE + " (0 = greedy), got " + t);
        }
        float p = r.getTopP();
        if (!(p >= 0 && p <= 1)) {
            throw Rpc.invalid("top_p must be between 0.0 and 1.0 (0 or 1 = no filter), got " + p);
        }
        if (r.getStopCount() > MAX_STOP_SEQUENCES) {
            throw Rpc.invalid("stop must hold at most " + MAX_STOP_SEQUENCES + " sequences, got " + r.getStopCount());
        }
        for (int i = 0; i < r.getStopCount(); i++) {
            int length = r.getStop(i).length();
            if (length < 1 || length > MAX_STOP_LENGTH) {
                throw Rpc.invalid("stop[" + i + "] must be 1 to " + MAX_STOP_LENGTH + " characters long, got " + length);
            }
        }
    }

    /** The full check against the variant, and the serving request it describes. */
    static GenerationRequest generation(GenerateRequest r, ResidentVariant variant, long seed) {
        int maxNewTokens = maxNewTokens(r.getMaxNewTokens());
        int vocab = variant.vocabSize();
        if (Integer.compareUnsigned(r.getTopK(), vocab) > 0) {
            throw Rpc.invalid("top_k must be between 0 and " + vocab + " (the vocabulary size of variant '"
                    + variant.name() + "'; 0 = no filter), got " + Integer.toUnsignedString(r.getTopK()));
        }
        int context = variant.contextLength();
        boolean parseSpecialTokens = parseSpecialTokens(r.hasParseSpecialTokens(), r.getParseSpecialTokens());
        int promptTokens = variant.promptTokens(r.getPrompt(), parseSpecialTokens);
        if (promptTokens == 0) {
            throw Rpc.invalid("prompt must encode to at least one token");
        }
        if (promptTokens >= context) {
            throw Rpc.invalid("prompt is " + promptTokens + " tokens, but variant '" + variant.name()
                    + "' has a context length of " + context + " tokens (max_position_embeddings), which must also "
                    + "hold at least one generated token");
        }
        if (promptTokens + maxNewTokens > context) {
            throw Rpc.invalid("max_new_tokens must be at most " + (context - promptTokens) + " for this prompt ("
                    + promptTokens + " tokens; variant '" + variant.name() + "' has a context length of " + context
                    + " tokens), got " + maxNewTokens);
        }
        double topP = r.getTopP() == 0 ? 1.0 : r.getTopP();
        GenerationSettings settings = new GenerationSettings(maxNewTokens, r.getTemperature(), r.getTopK(), topP, seed,
                null);
        return new GenerationRequest(r.getPrompt(), settings, r.getStopList(), parseSpecialTokens);
    }

    /** parse_special_tokens: unset means true (special-token text becomes control tokens, as today). */
    static boolean parseSpecialTokens(boolean set, boolean value) {
        return !set || value;
    }

    static void checkScore(ScoreRequest r) {
        int n = r.getContinuationsCount();
        if (n < 1 || n > MAX_CONTINUATIONS) {
            throw Rpc.invalid("continuations must hold 1 to " + MAX_CONTINUATIONS + " entries, got " + n);
        }
        for (int i = 0; i < n; i++) {
            if (r.getContinuations(i).isEmpty()) {
                throw Rpc.invalid("continuations[" + i + "] must not be empty");
            }
        }
    }

    /** Every context plus continuation must fit the variant's context length. */
    static void checkScoreLengths(List<TokenizedRequest> requests, ResidentVariant variant) {
        int context = variant.contextLength();
        for (int i = 0; i < requests.size(); i++) {
            int length = requests.get(i).length();
            if (length > context) {
                throw Rpc.invalid("context plus continuations[" + i + "] is " + length + " tokens, more than the "
                        + context + " tokens of variant '" + variant.name() + "' (max_position_embeddings)");
            }
        }
    }

    private static int maxNewTokens(int requested) {
        if (requested == 0) {
            return DEFAULT_MAX_NEW_TOKENS;
        }
        if (requested < 0 || requested > MAX_NEW_TOKENS) {
            throw Rpc.invalid("max_new_tokens must be between 1 and " + MAX_NEW_TOKENS + " (0 = default "
                    + DEFAULT_MAX_NEW_TOKENS + "), got " + Integer.toUnsignedString(requested));
        }
        return requested;
    }
}

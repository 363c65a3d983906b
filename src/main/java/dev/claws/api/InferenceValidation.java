package dev.claws.api;

import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.ScoreRequest;
import dev.claws.eval.TokenizedRequest;
import dev.claws.model.ChatTemplate;
import dev.claws.model.GenerationSettings;
import dev.claws.serve.ChatPrompt;
import dev.claws.serve.GenerationRequest;
import dev.claws.serve.ResidentVariant;
import dev.claws.serve.VariantRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Checks generation and Score requests against the contract (proto/claws/v1/inference.proto) and the chosen variant,
 * for the gRPC and the OpenAI-style HTTP door alike; each failure is INVALID_ARGUMENT naming the field (also in the
 * trailer {@link Rpc#FIELD}) and its allowed range.
 */
final class InferenceValidation {

    static final int DEFAULT_MAX_NEW_TOKENS = 128;
    static final int MAX_NEW_TOKENS = 4096;
    static final double MAX_TEMPERATURE = 5.0;
    static final int MAX_STOP_SEQUENCES = 4;
    static final int MAX_STOP_LENGTH = 64;
    static final int MAX_CONTINUATIONS = 64;
    static final int MAX_MESSAGES = 256;
    static final int MAX_ROLE_LENGTH = 64;

    private InferenceValidation() {
    }

    /** The variant a request names: empty means the default base model. */
    static String variantName(String requested, String defaultName) {
        return requested.isEmpty() ? defaultName : Validation.variantName("variant", requested);
    }

    /** A validated generation request on its variant, with the seed it will use (drawn when the client sent none). */
    record PreparedGeneration(ResidentVariant variant, long seed, GenerationRequest generation) {
    }

    /**
     * The one validation of a generation request for both doors: the checks that need no model, then the variant
     * (a chat rendered with its template), then the checks against the variant.
     *
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT naming the field
     * @throws dev.claws.serve.ServeException  unknown or unloaded variant, no chat template
     */
    static PreparedGeneration prepare(GenerationInput in, VariantRegistry registry) {
        check(in);
        String name = in.variant().isEmpty() ? registry.defaultVariant()
                : Validation.variantName(in.fields().variant(), in.variant());
        ResidentVariant variant = registry.require(name);
        long seed = in.seed() != null ? in.seed() : ThreadLocalRandom.current().nextLong();
        return new PreparedGeneration(variant, seed, generation(in, variant, seed));
    }

    /** A Generate request of the gRPC contract as a generation input. */
    static GenerationInput input(GenerateRequest r) {
        List<ChatTemplate.Message> messages = new ArrayList<>(r.getMessagesCount());
        r.getMessagesList().forEach(m -> messages.add(new ChatTemplate.Message(m.getRole(), m.getContent())));
        return new GenerationInput(GenerationInput.Fields.GRPC, r.getVariant(), r.getPrompt(), messages,
                r.getMaxNewTokens(), r.getTemperature(), r.getTopK(), r.getTopP(),
                r.hasSeed() ? r.getSeed() : null, r.getStopList(),
                parseSpecialTokens(r.hasParseSpecialTokens(), r.getParseSpecialTokens()));
    }

    /** Checks what does not need the model (before the variant is looked up). */
    private static void check(GenerationInput r) {
        boolean chat = !r.messages().isEmpty();
        if (chat && !r.prompt().isEmpty()) {
            throw ErrorStatus.invalid("prompt", "prompt and messages are exclusive: send a prompt, or a chat as messages");
        }
        if (!chat && r.prompt().isEmpty()) {
            throw ErrorStatus.invalid("prompt", "prompt must not be empty: give at least one character of UTF-8 text "
                    + "(or a chat as messages)");
        }
        if (chat && !r.parseSpecialTokens()) {
            throw ErrorStatus.invalid("parse_special_tokens", "parse_special_tokens must be true (or unset) with messages: "
                    + "the chat template's own turn markers are special tokens");
        }
        if (r.messages().size() > MAX_MESSAGES) {
            throw ErrorStatus.invalid("messages", "messages must hold at most " + MAX_MESSAGES + " turns, got "
                    + r.messages().size());
        }
        for (int i = 0; i < r.messages().size(); i++) {
            int length = r.messages().get(i).role().length();
            if (length < 1 || length > MAX_ROLE_LENGTH) {
                throw ErrorStatus.invalid("messages[" + i + "].role", "messages[" + i + "].role must be 1 to "
                        + MAX_ROLE_LENGTH + " characters long (system, user, assistant, ...), got " + length);
            }
        }
        maxNewTokens(r.maxNewTokens(), r.fields().maxNewTokens());
        float t = r.temperature();
        if (!(t >= 0 && t <= MAX_TEMPERATURE)) {
            throw ErrorStatus.invalid("temperature", "temperature must be between 0.0 and " + MAX_TEMPERATURE
                    + " (0 = greedy), got " + t);
        }
        float p = r.topP();
        if (!(p >= 0 && p <= 1)) {
            throw ErrorStatus.invalid("top_p", "top_p must be between 0.0 and 1.0 (0 or 1 = no filter), got " + p);
        }
        if (r.stop().size() > MAX_STOP_SEQUENCES) {
            throw ErrorStatus.invalid("stop", "stop must hold at most " + MAX_STOP_SEQUENCES + " sequences, got "
                    + r.stop().size());
        }
        for (int i = 0; i < r.stop().size(); i++) {
            int length = r.stop().get(i).length();
            if (length < 1 || length > MAX_STOP_LENGTH) {
                throw ErrorStatus.invalid("stop[" + i + "]", "stop[" + i + "] must be 1 to " + MAX_STOP_LENGTH
                        + " characters long, got " + length);
            }
        }
    }

    /** The full check against the variant, and the serving request it describes. */
    private static GenerationRequest generation(GenerationInput r, ResidentVariant variant, long seed) {
        String maxField = r.fields().maxNewTokens();
        int maxNewTokens = maxNewTokens(r.maxNewTokens(), maxField);
        int vocab = variant.vocabSize();
        if (Integer.compareUnsigned(r.topK(), vocab) > 0) {
            throw ErrorStatus.invalid("top_k", "top_k must be between 0 and " + vocab + " (the vocabulary size of variant '"
                    + variant.name() + "'; 0 = no filter), got " + Integer.toUnsignedString(r.topK()));
        }
        String prompt = r.prompt();
        List<Integer> stopTokenIds = null;
        String promptField = "prompt";
        if (!r.messages().isEmpty()) {
            ChatPrompt chat = variant.chatPrompt(r.messages());
            prompt = chat.text();
            stopTokenIds = chat.stopTokenIds();
            promptField = "messages";
        }
        int context = variant.contextLength();
        int promptTokens = variant.promptTokens(prompt, r.parseSpecialTokens());
        if (promptTokens == 0) {
            throw ErrorStatus.invalid(promptField, promptField + " must encode to at least one token");
        }
        if (promptTokens >= context) {
            throw ErrorStatus.invalid(promptField, promptField + " is " + promptTokens + " tokens, but variant '"
                    + variant.name() + "' has a context length of " + context + " tokens (max_position_embeddings), "
                    + "which must also hold at least one generated token");
        }
        if (promptTokens + maxNewTokens > context) {
            throw ErrorStatus.invalid(maxField, maxField + " must be at most " + (context - promptTokens) + " for this "
                    + promptField + " (" + promptTokens + " tokens; variant '" + variant.name()
                    + "' has a context length of " + context + " tokens), got " + maxNewTokens);
        }
        double topP = r.topP() == 0 ? 1.0 : r.topP();
        GenerationSettings settings = new GenerationSettings(maxNewTokens, r.temperature(), r.topK(), topP, seed,
                stopTokenIds);
        return new GenerationRequest(prompt, settings, r.stop(), r.parseSpecialTokens());
    }

    /**
     * The token ids of prompts to score whole (completions with echo): text is encoded as generation encodes it,
     * token ids are taken as they are; each must be a vocabulary id and each prompt fit the context length.
     */
    static List<long[]> scoredPrompts(List<OpenAiRequests.Prompt> prompts, ResidentVariant variant) {
        List<long[]> out = new ArrayList<>(prompts.size());
        int vocab = variant.vocabSize();
        int context = variant.contextLength();
        for (int i = 0; i < prompts.size(); i++) {
            String field = prompts.size() == 1 ? "prompt" : "prompt[" + i + "]";
            OpenAiRequests.Prompt p = prompts.get(i);
            long[] ids = p.tokenIds() != null ? p.tokenIds() : variant.encodePrompt(p.text());
            if (ids.length == 0) {
                throw ErrorStatus.invalid(field, field + " must encode to at least one token");
            }
            if (ids.length > context) {
                throw ErrorStatus.invalid(field, field + " is " + ids.length + " tokens, more than the " + context
                        + " tokens of variant '" + variant.name() + "' (max_position_embeddings)");
            }
            for (long id : ids) {
                if (id >= vocab) {
                    throw ErrorStatus.invalid(field, field + " holds token id " + id + ", outside the vocabulary [0, " + vocab
                            + ") of variant '" + variant.name() + "'");
                }
            }
            out.add(ids);
        }
        return out;
    }

    /** parse_special_tokens: unset means true (special-token text becomes control tokens, as today). */
    static boolean parseSpecialTokens(boolean set, boolean value) {
        return !set || value;
    }

    static void checkScore(ScoreRequest r) {
        int n = r.getContinuationsCount();
        if (n < 1 || n > MAX_CONTINUATIONS) {
            throw ErrorStatus.invalid("continuations", "continuations must hold 1 to " + MAX_CONTINUATIONS + " entries, got " + n);
        }
        for (int i = 0; i < n; i++) {
            if (r.getContinuations(i).isEmpty()) {
                throw ErrorStatus.invalid("continuations[" + i + "]", "continuations[" + i + "] must not be empty");
            }
        }
    }

    /** Every context plus continuation must fit the variant's context length. */
    static void checkScoreLengths(List<TokenizedRequest> requests, ResidentVariant variant) {
        int context = variant.contextLength();
        for (int i = 0; i < requests.size(); i++) {
            int length = requests.get(i).length();
            if (length > context) {
                throw ErrorStatus.invalid("continuations[" + i + "]", "context plus continuations[" + i + "] is " + length + " tokens, more than the "
                        + context + " tokens of variant '" + variant.name() + "' (max_position_embeddings)");
            }
        }
    }

    private static int maxNewTokens(int requested, String field) {
        if (requested == 0) {
            return DEFAULT_MAX_NEW_TOKENS;
        }
        if (requested < 0 || requested > MAX_NEW_TOKENS) {
            throw ErrorStatus.invalid(field, field + " must be between 1 and " + MAX_NEW_TOKENS + " (0 = default "
                    + DEFAULT_MAX_NEW_TOKENS + "), got " + Integer.toUnsignedString(requested));
        }
        return requested;
    }
}

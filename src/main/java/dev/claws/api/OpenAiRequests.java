package dev.claws.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claws.model.ChatTemplate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the JSON bodies of the OpenAI-style endpoints into the same {@link GenerationInput} the gRPC door builds.
 * Only the fields listed here are accepted; a field of the OpenAI API that claws does not implement (n other than 1,
 * penalties, logit_bias, tools, ...) and any unknown field are refused with INVALID_ARGUMENT naming it, so a client
 * never silently gets something other than what it asked for.
 */
final class OpenAiRequests {

    /** OpenAI's default max_tokens of /v1/completions. */
    static final int DEFAULT_COMPLETION_TOKENS = 16;
    /** OpenAI's default sampling temperature. */
    static final float DEFAULT_TEMPERATURE = 1.0f;
    static final int MAX_LOGPROBS = 5;
    static final int MAX_PROMPTS = 64;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> COMMON = Set.of("model", "max_tokens", "temperature", "top_p", "top_k", "seed",
            "stop", "n", "stream", "stream_options", "user", "presence_penalty", "frequency_penalty", "logit_bias");
    private static final Set<String> COMPLETION = Set.of("prompt", "logprobs", "echo", "best_of", "suffix");
    private static final Set<String> CHAT = Set.of("messages", "max_completion_tokens", "logprobs", "top_logprobs");

    private OpenAiRequests() {
    }

    /** A prompt of /v1/completions: text, or token ids taken as they are. */
    record Prompt(String text, long[] tokenIds) {
    }

    /**
     * A parsed /v1/completions body.
     *
     * @param generation the generation it asks for (its prompt is the first prompt's text; unused when scoring)
     * @param prompts    the prompts, in order
     * @param maxTokens  max_tokens as sent (0 allowed with echo)
     * @param logprobs   top alternatives per token to report, null = no logprobs
     */
    record Completion(GenerationInput generation, List<Prompt> prompts, int maxTokens, boolean echo, Integer logprobs,
                      boolean stream) {

        /** Echo asks for the prompt's own log-probabilities: scored in one pass, not generated. */
        boolean scoresPrompt() {
            return echo;
        }
    }

    /** A parsed /v1/chat/completions body. */
    record Chat(GenerationInput generation, boolean stream) {
    }

    static ObjectNode body(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text == null ? "" : text);
        } catch (JsonProcessingException e) {
            throw ErrorStatus.invalid("body", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw ErrorStatus.invalid("body", "the request body must be a JSON object");
        }
        return object;
    }

    static Completion completion(ObjectNode body) {
        allowOnly(body, COMPLETION);
        common(body);
        List<Prompt> prompts = prompts(body.get("prompt"));
        boolean echo = bool(body, "echo", false);
        Integer logprobs = body.hasNonNull("logprobs") ? integer(body, "logprobs", 0, MAX_LOGPROBS) : null;
        int maxTokens = body.hasNonNull("max_tokens") ? integer(body, "max_tokens", 0, Integer.MAX_VALUE)
                : DEFAULT_COMPLETION_TOKENS;
        float temperature = number(body, "temperature", DEFAULT_TEMPERATURE);
        boolean stream = bool(body, "stream", false);
        if (body.hasNonNull("best_of") && !(body.get("best_of").isIntegralNumber()
                && body.get("best_of").asLong() == 1)) {
            throw ErrorStatus.invalid("best_of", "best_of must be 1, got " + body.get("best_of"));
        }
        if (body.hasNonNull("suffix")) {
            throw ErrorStatus.invalid("suffix", "suffix (insertion) is not supported");
        }
        if (echo) {
            if (maxTokens > 1) {
                throw ErrorStatus.invalid("echo", "echo is supported for scoring a prompt: max_tokens must be 0 or 1, got "
                        + maxTokens);
            }
            if (maxTokens == 1 && temperature != 0) {
                throw ErrorStatus.invalid("temperature", "with echo and max_tokens 1 the next token is the greedy one: "
                        + "temperature must be 0, got " + temperature);
            }
            if (stream) {
                throw ErrorStatus.invalid("stream", "stream is not supported with echo (scoring answers at once)");
            }
        } else {
            if (logprobs != null) {
                throw ErrorStatus.invalid("logprobs", "logprobs is supported for scoring a prompt (echo: true with "
                        + "max_tokens 0 or 1); the log-probabilities of generated tokens are not reported");
            }
            if (maxTokens == 0) {
                throw ErrorStatus.invalid("max_tokens", "max_tokens must be at least 1 (0 only with echo: true)");
            }
            if (prompts.size() > 1) {
                throw ErrorStatus.invalid("prompt", "prompt must be a single prompt for generation (a list of " + prompts.size()
                        + " prompts is supported for scoring with echo); send one request per prompt");
            }
            if (prompts.get(0).text() == null) {
                throw ErrorStatus.invalid("prompt", "prompt must be text for generation (token ids are supported for "
                        + "scoring with echo)");
            }
        }
        String text = prompts.get(0).text() == null ? "" : prompts.get(0).text();
        GenerationInput input = new GenerationInput(GenerationInput.Fields.OPENAI, model(body), text, List.of(),
                echo ? 0 : maxTokens, temperature, topK(body), number(body, "top_p", 1.0f), seed(body), stop(body),
                true);
        return new Completion(input, prompts, maxTokens, echo, logprobs, stream);
    }

    static Chat chat(ObjectNode body) {
        allowOnly(body, CHAT);
        common(body);
        if (body.hasNonNull("logprobs") && bool(body, "logprobs", false)) {
            throw ErrorStatus.invalid("logprobs", "logprobs of chat completions are not supported");
        }
        if (body.hasNonNull("top_logprobs")) {
            throw ErrorStatus.invalid("top_logprobs", "top_logprobs of chat completions are not supported");
        }
        String maxField = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = body.hasNonNull(maxField) ? integer(body, maxField, 1, Integer.MAX_VALUE) : 0;
        GenerationInput input = new GenerationInput(GenerationInput.Fields.OPENAI, model(body), "", messages(body),
                maxTokens, number(body, "temperature", DEFAULT_TEMPERATURE), topK(body),
                number(body, "top_p", 1.0f), seed(body), stop(body), true);
        return new Chat(input, bool(body, "stream", false));
    }

    private static void allowOnly(ObjectNode body, Set<String> specific) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!COMMON.contains(name) && !specific.contains(name)) {
                throw ErrorStatus.invalid(name, name + " is not supported by this server");
            }
        }
    }

    /** The fields both endpoints share that must keep their OpenAI default. */
    private static void common(ObjectNode body) {
        if (body.hasNonNull("n") && !(body.get("n").isIntegralNumber() && body.get("n").asLong() == 1)) {
            throw ErrorStatus.invalid("n", "n must be 1 (one choice per request), got " + body.get("n"));
        }
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            if (body.hasNonNull(penalty) && number(body, penalty, 0) != 0) {
                throw ErrorStatus.invalid(penalty, penalty + " is not supported; it must be 0");
            }
        }
        JsonNode bias = body.get("logit_bias");
        if (bias != null && !bias.isNull() && !(bias.isObject() && bias.isEmpty())) {
            throw ErrorStatus.invalid("logit_bias", "logit_bias is not supported");
        }
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull() && !options.isObject()) {
            throw ErrorStatus.invalid("stream_options", "stream_options must be an object");
        }
        if (body.hasNonNull("user") && !body.get("user").isTextual()) {
            throw ErrorStatus.invalid("user", "user must be a string");
        }
    }

    private static String model(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw ErrorStatus.invalid("model", "model is required: the name of a loaded variant (GET /v1/models)");
        }
        if (!model.isTextual()) {
            throw ErrorStatus.invalid("model", "model must be a string");
        }
        return Validation.variantName("model", model.textValue());
    }

    private static List<Prompt> prompts(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) {
            throw ErrorStatus.invalid("prompt", "prompt is required: text, token ids, or a list of either");
        }
        if (prompt.isTextual()) {
            return List.of(new Prompt(prompt.textValue(), null));
        }
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw ErrorStatus.invalid("prompt", "prompt must be a string, an array of token ids, or a non-empty array of "
                    + "either");
        }
        if (prompt.get(0).isIntegralNumber()) {
            return List.of(new Prompt(null, tokenIds(prompt, "prompt")));
        }
        if (prompt.size() > MAX_PROMPTS) {
            throw ErrorStatus.invalid("prompt", "prompt must hold at most " + MAX_PROMPTS + " prompts, got " + prompt.size());
        }
        List<Prompt> out = new ArrayList<>();
        for (int i = 0; i < prompt.size(); i++) {
            JsonNode p = prompt.get(i);
            if (p.isTextual()) {
                out.add(new Prompt(p.textValue(), null));
            } else if (p.isArray()) {
                out.add(new Prompt(null, tokenIds(p, "prompt[" + i + "]")));
            } else {
                throw ErrorStatus.invalid("prompt[" + i + "]", "prompt[" + i + "] must be a string or an array of token ids");
            }
        }
        return out;
    }

    private static long[] tokenIds(JsonNode array, String field) {
        if (array.isEmpty()) {
            throw ErrorStatus.invalid(field, field + " must hold at least one token id");
        }
        long[] ids = new long[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw ErrorStatus.invalid(field, field + "[" + i + "] must be a token id (an integer >= 0), got " + id);
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    private static List<ChatTemplate.Message> messages(ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ErrorStatus.invalid("messages", "messages is required: a non-empty array of {role, content}");
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String field = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            if (!m.isObject()) {
                throw ErrorStatus.invalid(field, field + " must be an object {role, content}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                String key = it.next().getKey();
                if (!key.equals("role") && !key.equals("content") && !key.equals("name")) {
                    throw ErrorStatus.invalid(field + "." + key, field + "." + key + " is not supported (role, content and "
                            + "name are)");
                }
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw ErrorStatus.invalid(field + ".role", field + ".role must be a string (system, user, assistant, ...)");
            }
            out.add(new ChatTemplate.Message(role.textValue(), content(m.get("content"), field + ".content")));
        }
        return out;
    }

    /** A message's content: a string, or an array of text parts joined in order. */
    private static String content(JsonNode content, String field) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ErrorStatus.invalid(field + "[" + i + "]", field + "[" + i + "] must be a text part "
                            + "{\"type\": \"text\", \"text\": ...}; other content types are not supported");
                }
                text.append(part.get("text").textValue());
            }
            return text.toString();
        }
        throw ErrorStatus.invalid(field, field + " must be a string or an array of text parts");
    }

    private static List<String> stop(ObjectNode body) {
        JsonNode stop = body.get("stop");
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.textValue());
        }
        if (!stop.isArray()) {
            throw ErrorStatus.invalid("stop", "stop must be a string or an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < stop.size(); i++) {
            if (!stop.get(i).isTextual()) {
                throw ErrorStatus.invalid("stop[" + i + "]", "stop[" + i + "] must be a string");
            }
            out.add(stop.get(i).textValue());
        }
        return out;
    }

    private static Long seed(ObjectNode body) {
        JsonNode seed = body.get("seed");
        if (seed == null || seed.isNull()) {
            return null;
        }
        if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
            throw ErrorStatus.invalid("seed", "seed must be an integer");
        }
        return seed.longValue();
    }

    private static int topK(ObjectNode body) {
        return body.hasNonNull("top_k") ? integer(body, "top_k", 0, Integer.MAX_VALUE) : 0;
    }

    private static int integer(ObjectNode body, String field, int min, int max) {
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw ErrorStatus.invalid(field, field + " must be an integer " + (max == Integer.MAX_VALUE ? ">= " + min
                    : "between " + min + " and " + max) + ", got " + v);
        }
        return v.intValue();
    }

    private static float number(ObjectNode body, String field, float absent) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isNumber()) {
            throw ErrorStatus.invalid(field, field + " must be a number, got " + v);
        }
        return v.floatValue();
    }

    private static boolean bool(ObjectNode body, String field, boolean absent) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw ErrorStatus.invalid(field, field + " must be true or false, got " + v);
        }
        return v.booleanValue();
    }
}

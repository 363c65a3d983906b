package dev.claws.api;

import dev.claws.model.ChatTemplate;
import java.util.List;

/**
 * A generation request as either door (gRPC Inference, OpenAI-style HTTP) received it, before validation: the wire
 * formats map onto this, and {@link InferenceValidation#prepare} checks it once for both.
 *
 * @param fields       the wire names of the fields, for error messages
 * @param variant      variant name; empty = the default base model
 * @param prompt       prompt text; empty when {@code messages} is given
 * @param messages     a chat to continue; empty when {@code prompt} is given
 * @param maxNewTokens tokens to generate at most; 0 = the default
 * @param temperature  0 = greedy
 * @param topK         0 = no filter
 * @param topP         0 or 1 = no filter
 * @param seed         sampling seed; null = drawn by the server
 * @param stop         stop sequences
 * @param parseSpecialTokens whether special-token text in the prompt becomes control tokens (false: plain text)
 */
record GenerationInput(Fields fields, String variant, String prompt, List<ChatTemplate.Message> messages,
                       int maxNewTokens, float temperature, int topK, float topP, Long seed, List<String> stop,
                       boolean parseSpecialTokens) {

    /** Wire names of the fields whose names differ between the doors. */
    record Fields(String variant, String maxNewTokens) {
        static final Fields GRPC = new Fields("variant", "max_new_tokens");
        static final Fields OPENAI = new Fields("model", "max_tokens");
    }

    GenerationInput {
        messages = List.copyOf(messages);
        stop = List.copyOf(stop);
    }
}

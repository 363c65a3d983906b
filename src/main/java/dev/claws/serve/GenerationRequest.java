package dev.claws.serve;

import dev.claws.model.GenerationSettings;
import java.util.List;

/**
 * A validated generation request for one variant: prompt text, decoding settings and stop sequences.
 *
 * @param parseSpecialTokens whether special-token text in the prompt becomes control tokens (false: plain text)
 */
public record GenerationRequest(String prompt, GenerationSettings settings, List<String> stopSequences,
                                boolean parseSpecialTokens) {

    public GenerationRequest {
        stopSequences = List.copyOf(stopSequences);
    }

    /** A request whose prompt is tokenised as Hugging Face's default call does (special-token text parsed). */
    public GenerationRequest(String prompt, GenerationSettings settings, List<String> stopSequences) {
        this(prompt, settings, stopSequences, true);
    }
}

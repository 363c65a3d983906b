package dev.claws.serve;

import dev.claws.model.GenerationSettings;
import java.util.List;

/** A validated generation request for one variant: prompt text, decoding settings and stop sequences. */
public record GenerationRequest(String prompt, GenerationSettings settings, List<String> stopSequences) {

    public GenerationRequest {
        stopSequences = List.copyOf(stopSequences);
    }
}

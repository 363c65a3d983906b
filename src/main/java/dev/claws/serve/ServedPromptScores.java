package dev.claws.serve;

import dev.claws.model.PromptLogProbs;
import java.util.List;

/**
 * Log-probabilities of whole prompts (each token given the ones before it) with the top alternatives at every
 * position, in request order, with the timing of the request.
 *
 * @param prompts  per prompt: its token ids and what the model predicts along them
 */
public record ServedPromptScores(String variant, List<Prompt> prompts, RequestTiming timing) {

    /** One scored prompt: its token ids and the model's log-probabilities along them. */
    public record Prompt(long[] tokenIds, PromptLogProbs logProbs) {
        public Prompt {
            tokenIds = tokenIds.clone();
        }

        @Override
        public long[] tokenIds() {
            return tokenIds.clone();
        }
    }

    public ServedPromptScores {
        prompts = List.copyOf(prompts);
    }
}

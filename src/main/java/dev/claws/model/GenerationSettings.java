package dev.claws.model;

import java.util.List;

/**
 * How to continue a prompt.
 *
 * @param maxNewTokens  tokens to generate at most, at least 1
 * @param temperature   0 for greedy decoding, otherwise the softmax temperature (&gt; 0)
 * @param topK          keep only the k most likely tokens (0 = no limit)
 * @param topP          keep the smallest set of tokens whose probability reaches p (1 = no limit), in (0, 1]
 * @param seed          random seed for sampling (null = unseeded)
 * @param stopTokenIds  generation ends after one of these tokens; null means the model's eos_token_id(s)
 */
public record GenerationSettings(int maxNewTokens, double temperature, int topK, double topP, Long seed,
                                 List<Integer> stopTokenIds) {

    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        stopTokenIds = stopTokenIds == null ? null : List.copyOf(stopTokenIds);
    }

    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, 0, 0, 1, null, null);
    }

    public static GenerationSettings sampling(int maxNewTokens, double temperature, int topK, double topP, Long seed) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, null);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public GenerationSettings withStopTokenIds(List<Integer> ids) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, ids);
    }
}

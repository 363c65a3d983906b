package dev.claws.model;

/**
 * What the model predicts at every position of a token sequence of length T (teacher forcing, no sampling).
 *
 * @param tokenLogProbs  length T-1: entry i is the natural-log probability of token i+1 given tokens 0..i
 * @param topIds         T rows of k token ids, most likely first: row i is the prediction after tokens 0..i (the last
 *                       row predicts the token after the sequence)
 * @param topLogProbs    T rows of the k log-probabilities belonging to {@code topIds}
 */
public record PromptLogProbs(double[] tokenLogProbs, long[][] topIds, double[][] topLogProbs) {

    public PromptLogProbs {
        tokenLogProbs = tokenLogProbs.clone();
        topIds = topIds.clone();
        topLogProbs = topLogProbs.clone();
    }

    @Override
    public double[] tokenLogProbs() {
        return tokenLogProbs.clone();
    }

    @Override
    public long[][] topIds() {
        return topIds.clone();
    }

    @Override
    public double[][] topLogProbs() {
        return topLogProbs.clone();
    }
}

package dev.claws.model;

/**
 * Log-likelihood of a continuation given a context, as lm-evaluation-harness scores multiple choice.
 *
 * @param tokenLogProbs natural-log probability of each continuation token
 * @param logLikelihood their sum
 * @param greedy        whether every continuation token was the argmax of its position's logits
 */
public record ContinuationScore(double[] tokenLogProbs, double logLikelihood, boolean greedy) {

    public ContinuationScore {
        tokenLogProbs = tokenLogProbs.clone();
    }

    @Override
    public double[] tokenLogProbs() {
        return tokenLogProbs.clone();
    }

    public int tokenCount() {
        return tokenLogProbs.length;
    }
}

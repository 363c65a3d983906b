package dev.claws.jobs;

/**
 * How much of each task an evaluation scores, as checked at submission.
 *
 * @param maxSamplesPerTask zero-shot tasks: the first this many documents, 0 = all
 * @param windowLength      corpora: tokens per window (already resolved from its default)
 * @param tokenBudget       corpora: at most this many corpus tokens, 0 = the whole corpus
 */
public record EvaluationBudget(int maxSamplesPerTask, int windowLength, long tokenBudget) {
}

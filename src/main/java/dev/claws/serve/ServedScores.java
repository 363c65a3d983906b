package dev.claws.serve;

import java.util.List;

/** Scores of several continuations of one context, in request order, with the timing. */
public record ServedScores(String variant, List<Score> scores, RequestTiming timing) {

    /** Summed natural-log likelihood of one continuation, its token count and whether it is the greedy choice. */
    public record Score(double logLikelihood, int tokenCount, boolean greedy) {
    }

    public ServedScores {
        scores = List.copyOf(scores);
    }
}

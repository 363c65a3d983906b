package dev.claws.eval;

import java.util.List;

/**
 * A scored multiple-choice document: one score per choice and the choices picked by acc (highest summed
 * log-likelihood) and acc_norm (highest log-likelihood per character of the choice string), first index on ties.
 */
public record ScoredItem(MultipleChoiceItem item, List<LoglikelihoodResult> scores, int predicted, int predictedNorm) {
    public ScoredItem {
        scores = List.copyOf(scores);
    }

    /** Decides both predictions from the per-choice scores, as the harness's {@code process_results} does. */
    public static ScoredItem decide(MultipleChoiceItem item, List<LoglikelihoodResult> scores) {
        if (scores.size() != item.choices().size()) {
            throw new IllegalArgumentException("scores: need one per choice (" + item.choices().size() + "), got " + scores.size());
        }
        double[] lls = new double[scores.size()];
        double[] normalized = new double[scores.size()];
        for (int i = 0; i < lls.length; i++) {
            lls[i] = scores.get(i).logLikelihood();
            normalized[i] = lls[i] / PythonText.length(item.choices().get(i));
        }
        return new ScoredItem(item, scores, Metrics.argmax(lls), Metrics.argmax(normalized));
    }

    public double acc() {
        return predicted == item.gold() ? 1.0 : 0.0;
    }

    public double accNorm() {
        return predictedNorm == item.gold() ? 1.0 : 0.0;
    }

    public double value(Metric metric) {
        return switch (metric) {
            case ACC -> acc();
            case ACC_NORM -> accNorm();
        };
    }
}

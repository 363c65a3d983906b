package dev.claws.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * One document of a multiple-choice task, ready for scoring: one loglikelihood request per choice, the choice strings
 * whose character counts normalize acc_norm (the harness's {@code doc_to_choice}), and the gold index.
 */
public record MultipleChoiceItem(List<LoglikelihoodRequest> requests, List<String> choices, int gold) {
    public MultipleChoiceItem {
        requests = List.copyOf(requests);
        choices = List.copyOf(choices);
        if (requests.size() != choices.size() || choices.isEmpty()) {
            throw new IllegalArgumentException("choices: need one request per choice and at least one choice");
        }
        if (gold < 0 || gold >= choices.size()) {
            throw new IllegalArgumentException("gold: must be in [0, " + (choices.size() - 1) + "], got " + gold);
        }
    }

    /** The usual layout: one shared context, each choice scored as {@code target_delimiter + choice}. */
    public static MultipleChoiceItem ofChoices(String context, List<String> choices, int gold) {
        List<LoglikelihoodRequest> requests = new ArrayList<>(choices.size());
        for (String choice : choices) {
            requests.add(new LoglikelihoodRequest(context, TARGET_DELIMITER + choice));
        }
        return new MultipleChoiceItem(requests, choices, gold);
    }

    /** The harness's default {@code target_delimiter}. */
    public static final String TARGET_DELIMITER = " ";
}

package dev.claws.eval;

import java.util.ArrayList;
import java.util.List;

/** Scores multiple-choice documents with a language model the way lm-evaluation-harness does. */
public final class MultipleChoiceScorer {
    private final LanguageModelScorer model;
    private final HarnessRequestBuilder requests;

    public MultipleChoiceScorer(LanguageModelScorer model) {
        this.model = model;
        this.requests = new HarnessRequestBuilder(model);
    }

    /** The model inputs of one document, one per choice, tokenized and truncated. */
    public List<TokenizedRequest> tokenize(MultipleChoiceItem item) {
        return item.requests().stream().map(requests::build).toList();
    }

    public ScoredItem score(MultipleChoiceItem item) {
        List<LoglikelihoodResult> scores = model.scoreAll(tokenize(item));
        return ScoredItem.decide(item, scores);
    }

    /** Scores every document and aggregates the task's metrics; progress counts documents. */
    public TaskResult evaluate(MultipleChoiceTask task, List<MultipleChoiceItem> items, EvalProgress progress) {
        List<ScoredItem> scored = new ArrayList<>(items.size());
        for (MultipleChoiceItem item : items) {
            scored.add(score(item));
            progress.update(scored.size(), items.size());
        }
        return TaskResult.of(task, scored);
    }
}

package dev.claws.eval;

import static dev.claws.eval.TaskTestSupport.doc;
import static dev.claws.eval.TaskTestSupport.requests;
import static dev.claws.eval.WordTableScorer.LN2;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BoolQTaskTest {
    private final BoolQTask task = new BoolQTask();

    @Test
    void promptAndChoices() {
        MultipleChoiceItem item = task.item(doc("{\"question\": \"does water boil at 100 degrees\","
                + " \"passage\": \"Water boils at 100 degrees at sea level.\", \"idx\": 0, \"label\": 1}"));
        assertEquals(requests("Water boils at 100 degrees at sea level.\nQuestion: does water boil at 100 degrees?\nAnswer:",
                " no", " yes"), item.requests());
        assertEquals(List.of("no", "yes"), item.choices());
        assertEquals(1, item.gold());
        assertEquals(List.of(Metric.ACC), task.metrics());
    }

    @Test
    void readsBooleanLabelsAndTheOriginalAnswerField() {
        assertEquals(0, task.item(doc("{\"question\": \"q\", \"passage\": \"p\", \"label\": false}")).gold());
        assertEquals(1, task.item(doc("{\"question\": \"q\", \"passage\": \"p\", \"answer\": true, \"title\": \"t\"}")).gold());
    }

    @Test
    void longPassagesAreLeftTruncatedAndStillScored() {
        MultipleChoiceItem item = task.item(doc("{\"question\": \"is it\", \"passage\": \"one two three four five six\","
                + " \"label\": 0}"));
        WordTableScorer model = new WordTableScorer(3, 4).cost("\nAnswer:| no", 1).cost("\nAnswer:| yes", 2);
        ScoredItem scored = new MultipleChoiceScorer(model).score(item);
        assertEquals(-1 * LN2, scored.scores().get(0).logLikelihood(), 1e-12);
        assertEquals(-2 * LN2, scored.scores().get(1).logLikelihood(), 1e-12);
        assertEquals(1.0, scored.acc());
        // max length 4: context keeps its last 5 - 1 = 4 tokens
        assertEquals(List.of("\nQuestion:", " is", " it?", "\nAnswer:"), model.tokens(model.scored.get(0).context()));
    }
}

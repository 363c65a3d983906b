package dev.claws.eval;

import static dev.claws.eval.TaskTestSupport.doc;
import static dev.claws.eval.WordTableScorer.LN2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class WinoGrandeTaskTest {
    private final WinoGrandeTask task = new WinoGrandeTask();
    private static final String DOC = "{\"sentence\": \"Ann asked Beth for help because _ had more time. \","
            + " \"option1\": \"Ann\", \"option2\": \"Beth\", \"answer\": \"2\"}";

    @Test
    void partialScoringPutsTheOptionInTheContext() {
        MultipleChoiceItem item = task.item(doc(DOC));
        assertEquals(List.of(
                new LoglikelihoodRequest("Ann asked Beth for help because Ann", " had more time."),
                new LoglikelihoodRequest("Ann asked Beth for help because Beth", " had more time.")), item.requests());
        assertEquals(List.of("Ann asked Beth for help because Ann", "Ann asked Beth for help because Beth"), item.choices());
        assertEquals(1, item.gold());
        assertEquals(List.of(Metric.ACC), task.metrics());
    }

    @Test
    void theSameContinuationIsScoredUnderEachContext() {
        WordTableScorer model = new WordTableScorer(4, 64).cost(" Beth| had", 1).cost(" more", 2).cost(" time.", 2);
        ScoredItem scored = new MultipleChoiceScorer(model).score(task.item(doc(DOC)));
        assertEquals(-8 * LN2, scored.scores().get(0).logLikelihood(), 1e-12);
        assertEquals(-5 * LN2, scored.scores().get(1).logLikelihood(), 1e-12);
        assertEquals(1, scored.predicted());
        assertEquals(1.0, scored.acc());
        assertEquals(List.of(" Beth"), model.tokens(new int[] {model.scored.get(1).context()[6]}));
    }

    @Test
    void rejectsDocumentsWithoutBlankOrWithABadAnswer() {
        assertThrows(IllegalArgumentException.class, () -> task.item(doc(DOC.replace("_", "he"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> task.item(doc(DOC.replace("\"answer\": \"2\"", "\"answer\": \"3\""))));
        assertEquals("answer: must be \"1\" or \"2\", got 3", e.getMessage());
    }
}

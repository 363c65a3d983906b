package dev.claws.eval;

import static dev.claws.eval.TaskTestSupport.doc;
import static dev.claws.eval.TaskTestSupport.requests;
import static dev.claws.eval.TaskTestSupport.writeLines;
import static dev.claws.eval.WordTableScorer.LN2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PiqaTaskTest {
    private final PiqaTask task = new PiqaTask();

    @Test
    void promptIsQuestionAnswerWithSpacePrefixedSolutions() {
        MultipleChoiceItem item = task.item(doc(
                "{\"goal\": \"Keep a door open\", \"sol1\": \"Go.\", \"sol2\": \"Walk there slowly and carefully.\", \"label\": 1}"));
        assertEquals(requests("Question: Keep a door open\nAnswer:", " Go.", " Walk there slowly and carefully."),
                item.requests());
        assertEquals(List.of("Go.", "Walk there slowly and carefully."), item.choices());
        assertEquals(1, item.gold());
        assertEquals(List.of(Metric.ACC, Metric.ACC_NORM), task.metrics());
    }

    @Test
    void accPicksTheLikeliestAndAccNormTheLikeliestPerCharacter() {
        MultipleChoiceItem item = task.item(doc(
                "{\"goal\": \"Keep a door open\", \"sol1\": \"Go.\", \"sol2\": \"Walk there slowly and carefully.\", \"label\": 1}"));
        // " Go." costs 3 bits; sol2 is five tokens at the default 4 bits = 20 bits
        WordTableScorer model = new WordTableScorer(4, 64).cost(" Go.", 3);
        ScoredItem scored = new MultipleChoiceScorer(model).score(item);
        assertEquals(-3 * LN2, scored.scores().get(0).logLikelihood(), 1e-12);
        assertEquals(-20 * LN2, scored.scores().get(1).logLikelihood(), 1e-12);
        // acc: -3 ln2 > -20 ln2 -> choice 0 (wrong); acc_norm: -3 ln2 / 3 = -1.0 ln2 < -20 ln2 / 32 = -0.625 ln2 -> choice 1
        assertEquals(0, scored.predicted());
        assertEquals(1, scored.predictedNorm());
        assertEquals(0.0, scored.acc());
        assertEquals(1.0, scored.accNorm());
        assertTrue(scored.scores().get(0).greedy());
        assertFalse(scored.scores().get(1).greedy());
    }

    @Test
    void readsLabelsFromTheOriginalReleasesLabelFile(@TempDir Path dir) throws IOException {
        Path file = writeLines(dir, "valid.jsonl",
                "{\"goal\": \"g1\", \"sol1\": \"a\", \"sol2\": \"b\"}",
                "{\"goal\": \"g2\", \"sol1\": \"c\", \"sol2\": \"d\"}");
        writeLines(dir, "valid-labels.lst", "1", "0");
        List<MultipleChoiceItem> items = task.load(file, 0);
        assertEquals(List.of(1, 0), items.stream().map(MultipleChoiceItem::gold).toList());
        assertEquals(1, task.load(file, 1).size());
    }

    @Test
    void namesTheMissingField(@TempDir Path dir) throws IOException {
        Path file = writeLines(dir, "piqa.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\", \"label\": 0}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> task.load(file, 0));
        assertEquals("piqa.jsonl record 1: sol2: missing", e.getMessage());
    }
}

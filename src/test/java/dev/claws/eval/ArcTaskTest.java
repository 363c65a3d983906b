package dev.claws.eval;

import static dev.claws.eval.TaskTestSupport.doc;
import static dev.claws.eval.TaskTestSupport.requests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArcTaskTest {

    @Test
    void huggingFaceLayoutWithNumericLabels() {
        MultipleChoiceItem item = ArcTask.easy().item(doc("{\"id\": \"x\", \"question\": \"What do plants take in?\","
                + " \"choices\": {\"text\": [\"oxygen\", \"nitrogen\", \"carbon dioxide\", \"helium\"],"
                + " \"label\": [\"1\", \"2\", \"3\", \"4\"]}, \"answerKey\": \"3\"}"));
        assertEquals(requests("Question: What do plants take in?\nAnswer:", " oxygen", " nitrogen", " carbon dioxide", " helium"),
                item.requests());
        assertEquals(2, item.gold());
    }

    @Test
    void originalReleaseLayout(@TempDir Path dir) throws IOException {
        Path file = TaskTestSupport.writeLines(dir, "ARC-Challenge-Test.jsonl",
                "{\"id\": \"y\", \"question\": {\"stem\": \"Which is a gas?\", \"choices\": [{\"text\": \"ice\", \"label\": \"A\"},"
                        + " {\"text\": \"steam\", \"label\": \"B\"}, {\"text\": \"rock\", \"label\": \"C\"}]}, \"answerKey\": \"B\"}");
        List<MultipleChoiceItem> items = ArcTask.challenge().load(file, 0);
        assertEquals(requests("Question: Which is a gas?\nAnswer:", " ice", " steam", " rock"), items.get(0).requests());
        assertEquals(1, items.get(0).gold());
        assertEquals("arc_challenge", ArcTask.challenge().name());
    }

    @Test
    void answerKeyMustBeAChoiceLabel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArcTask.easy().item(doc(
                "{\"question\": \"q\", \"choices\": {\"text\": [\"a\", \"b\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"E\"}")));
        assertEquals("answerKey: must be one of the choice labels [A, B], got E", e.getMessage());
    }

    @Test
    void scoringPicksTheCheapestChoiceAndAccNormUsesCharacters() {
        MultipleChoiceItem item = ArcTask.easy().item(doc("{\"question\": \"Which is hot?\","
                + " \"choices\": {\"text\": [\"the Sun\", \"ice\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"A\"}"));
        WordTableScorer model = new WordTableScorer(4, 64).cost(" the", 1).cost(" Sun", 2).cost(" ice", 2);
        ScoredItem scored = new MultipleChoiceScorer(model).score(item);
        // acc: 3 bits vs 2 bits -> "ice"; acc_norm: 3/7 = 0.43 vs 2/3 = 0.67 bits per char -> "the Sun"
        assertEquals(1, scored.predicted());
        assertEquals(0, scored.predictedNorm());
    }
}

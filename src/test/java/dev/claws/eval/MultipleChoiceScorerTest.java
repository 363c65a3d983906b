package dev.claws.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipleChoiceScorerTest {

    @Test
    void aggregatesAccAndAccNormWithStandardErrors() {
        PiqaTask task = new PiqaTask();
        // " right" is cheap, " wrong answer here" is dear in total but cheap per character
        WordTableScorer model = new WordTableScorer(4, 64).cost(" right", 2).cost(" wrong", 1).cost(" answer", 1)
                .cost(" here", 1);
        List<MultipleChoiceItem> items = List.of(
                MultipleChoiceItem.ofChoices(PiqaTask.prompt("g1"), List.of("right", "wrong answer here"), 0),
                MultipleChoiceItem.ofChoices(PiqaTask.prompt("g2"), List.of("right", "wrong answer here"), 1),
                MultipleChoiceItem.ofChoices(PiqaTask.prompt("g3"), List.of("wrong answer here", "right"), 1),
                MultipleChoiceItem.ofChoices(PiqaTask.prompt("g4"), List.of("right", "right"), 0));
        List<long[]> progress = new ArrayList<>();
        TaskResult result = new MultipleChoiceScorer(model).evaluate(task, items, (d, t) -> progress.add(new long[] {d, t}));
        // acc picks " right" (2 bits < 3 bits): docs 1, 3, 4 correct (doc 4 is a tie -> first); acc = [1, 0, 1, 1]
        // acc_norm: 2/5 = 0.4 vs 3/17 = 0.18 bits per char -> the long choice: [0, 1, 0, 1]
        assertEquals(List.of(1.0, 0.0, 1.0, 1.0), result.items().stream().map(ScoredItem::acc).toList());
        assertEquals(List.of(0.0, 1.0, 0.0, 1.0), result.items().stream().map(ScoredItem::accNorm).toList());
        MetricValue acc = result.metric(Metric.ACC).orElseThrow();
        assertEquals(0.75, acc.value(), 1e-15);
        assertEquals(0.25, acc.stderr(), 1e-15);
        assertEquals(4, acc.samples());
        MetricValue accNorm = result.metric(Metric.ACC_NORM).orElseThrow();
        assertEquals(0.5, accNorm.value(), 1e-15);
        assertEquals(Math.sqrt(1.0 / 3) / 2, accNorm.stderr(), 1e-15); // sample variance 1/3, n = 4
        assertEquals("piqa", result.task());
        assertEquals(4, progress.size());
        assertEquals(4, progress.get(3)[0]);
        assertTrue(model.scored.size() == 8);
    }

    @Test
    void accNormDividesByCharactersNotBytes() {
        // "crème brûlée": 12 characters, 14 UTF-8 bytes, 6 + 7 = 13 bits; "apple pie": 9 characters and bytes, 5 + 4 = 9 bits.
        // per character 13/12 = 1.08 > 9/9 = 1.0 bits -> "apple pie"; per byte it would be 13/14 = 0.93 -> "crème brûlée"
        WordTableScorer model = new WordTableScorer(4, 64).cost(" crème", 6).cost(" brûlée", 7).cost(" apple", 5)
                .cost(" pie", 4);
        MultipleChoiceItem item = ArcTask.easy().item(TaskTestSupport.doc("{\"question\": \"Which dessert?\","
                + " \"choices\": {\"text\": [\"crème brûlée\", \"apple pie\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"A\"}"));
        ScoredItem scored = new MultipleChoiceScorer(model).score(item);
        assertEquals(-13 * WordTableScorer.LN2, scored.scores().get(0).logLikelihood(), 1e-12);
        assertEquals(1, scored.predicted());
        assertEquals(1, scored.predictedNorm());
        assertEquals(0.0, scored.accNorm());
    }
}

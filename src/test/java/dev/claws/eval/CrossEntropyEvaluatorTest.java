package dev.claws.eval;

import static dev.claws.eval.WordTableScorer.LN2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CrossEntropyEvaluatorTest {
    // joined: "w1 w2 w3\n\nw4 w5" -> ["w1", " w2", " w3", "\n\nw4", " w5"]
    private static final List<String> RECORDS = List.of("w1 w2 w3", "w4 w5");

    private WordTableScorer model() {
        return new WordTableScorer(4, 16).cost(" w2", 1).cost("\n\nw4", 3);
    }

    @Test
    void joinsRecordsCutsWindowsAndDropsTheRemainder() {
        CrossEntropyResult r = new CrossEntropyEvaluator(model(), 2, 0).evaluate(RECORDS, EvalProgress.NONE);
        // windows [w1, w2] -> 1 bit, [w3, \n\nw4] -> 3 bits; " w5" is dropped
        assertEquals(2, r.windows());
        assertEquals(5, r.corpusTokens());
        assertEquals(2, r.scoredTokens());
        assertArrayEquals(new double[] {LN2, 3 * LN2}, r.windowMeanNlls(), 1e-12);
        assertEquals(2 * LN2, r.meanNll(), 1e-12);
        assertEquals(4.0, r.perplexity(), 1e-12);
        assertEquals(LN2, r.stderr(), 1e-12); // sample sd sqrt(2) ln2 over sqrt(2)
    }

    @Test
    void windowMeanIsOverItsPredictedTokens() {
        CrossEntropyResult r = new CrossEntropyEvaluator(model(), 3, 0).evaluate(RECORDS, EvalProgress.NONE);
        // one window [w1, w2, w3]: (1 + 4) / 2 bits
        assertEquals(1, r.windows());
        assertEquals(2.5 * LN2, r.meanNll(), 1e-12);
        assertEquals(Math.pow(2, 2.5), r.perplexity(), 1e-12);
        assertTrue(Double.isNaN(r.stderr()));
    }

    @Test
    void tokenBudgetLimitsTheWindows() {
        CrossEntropyResult r = new CrossEntropyEvaluator(model(), 2, 3).evaluate(RECORDS, EvalProgress.NONE);
        assertEquals(1, r.windows());
        assertEquals(LN2, r.meanNll(), 1e-12);
    }

    @Test
    void rejectsBadWindowsAndTooShortCorpora() {
        WordTableScorer model = model();
        assertEquals("window_length: must be in [2, 16], got 1",
                assertThrows(IllegalArgumentException.class, () -> new CrossEntropyEvaluator(model, 1, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyEvaluator(model, 17, 0));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyEvaluator(model, 4, 3));
        assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyEvaluator(model, 8, 0).evaluate(RECORDS, EvalProgress.NONE));
    }
}

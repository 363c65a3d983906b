package dev.claws.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-position log-probabilities and top-k of a prompt on claws-tiny, against the full logits and the scorer. */
class PromptLogProbsTest {

    static DecoderModel model;
    static long[] ids;

    @BeforeAll
    static void load() {
        LanguageModel lm = LanguageModel.load(Path.of("models/claws-tiny"), EngineOptions.cpu(2));
        model = lm.model();
        ids = lm.tokenizer().encode("The history of the city begins with a small harbour", false);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void matchLogSoftmaxOfTheFullLogits() {
        int k = 3;
        PromptLogProbs p = model.promptLogProbs(ids, k);
        float[][] logits = model.logits(ids);
        assertEquals(ids.length - 1, p.tokenLogProbs().length);
        assertEquals(ids.length, p.topIds().length);
        for (int i = 0; i < ids.length; i++) {
            double[] lp = logSoftmax(logits[i]);
            if (i + 1 < ids.length) {
                assertEquals(lp[(int) ids[i + 1]], p.tokenLogProbs()[i], 1e-4, "position " + i);
            }
            long[] expectedTop = IntStream.range(0, lp.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer j) -> -lp[j])).limit(k).mapToLong(Integer::longValue)
                    .toArray();
            assertArrayEquals(expectedTop, p.topIds()[i], "position " + i);
            for (int j = 0; j < k; j++) {
                assertEquals(lp[(int) expectedTop[j]], p.topLogProbs()[i][j], 1e-4);
            }
        }
    }

    @Test
    void sumOverAContinuationEqualsItsScore() {
        int split = 4;
        long[] context = Arrays.copyOf(ids, split);
        long[] continuation = Arrays.copyOfRange(ids, split, ids.length);
        double expected = model.score(context, List.of(continuation)).get(0).logLikelihood();
        double[] lp = model.promptLogProbs(ids, 1).tokenLogProbs();
        double sum = 0;
        for (int i = split - 1; i < lp.length; i++) {
            sum += lp[i];
        }
        assertEquals(expected, sum, 1e-4);
    }

    @Test
    void refusesAnEmptySequenceAndABadK() {
        assertThrows(IllegalArgumentException.class, () -> model.promptLogProbs(new long[0], 1));
        assertThrows(IllegalArgumentException.class, () -> model.promptLogProbs(ids, 0));
    }

    private static double[] logSoftmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = row[i] - log;
        }
        return out;
    }
}

package dev.claws.eval;

import dev.claws.model.EngineOptions;
import dev.claws.model.LanguageModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Windowed cross-entropy evaluation leaves no array in the model's long-lived manager (see LongLivedArraysTest). */
class CrossEntropyArraysTest {

    @Test
    void windowedCrossEntropyLeavesNothing() {
        try (LanguageModel lm = LanguageModel.load(Path.of("models/claws-tiny"), EngineOptions.cpu(2))) {
            SplittableRandom random = new SplittableRandom(3);
            int[] tokens = new int[8 * 48];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = random.nextInt(lm.model().config().vocabSize());
            }
            CrossEntropyEvaluator evaluator = new CrossEntropyEvaluator(new EngineScorer(lm), 48, 0);
            int before = lm.model().heldArrays();
            CrossEntropyResult r = evaluator.evaluateTokens(tokens, EvalProgress.NONE);
            int after = lm.model().heldArrays();
            System.out.printf("windowed cross-entropy: model manager held %d arrays before %d windows, %d after%n",
                    before, r.windows(), after);
            assertEquals(8, r.windows());
            assertEquals(before, after, "arrays left in the model's manager by windowed cross-entropy");
        }
    }
}

package dev.claws.model.gguf;

import dev.claws.model.EngineOptions;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;
import dev.claws.model.LanguageModel;
import dev.claws.model.io.DType;
import dev.claws.model.tools.GgufParity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import dev.claws.model.io.FileTrees;

/**
 * SmolLM2-135M-Instruct imported from ../shared/models' Q4_1 GGUF against transformers loading the same GGUF
 * (float32; fixture and generator: src/test/python/make_gguf_parity_fixture.py): prompt ids equal, last-position
 * logits (top 16 and the first 64 vocabulary entries) within 1e-4, 32 greedy tokens identical.
 */
class GgufParityTest {

    static final double BOUND = 1e-4;
    static final Path FIXTURE = Path.of("src/test/resources/fixtures/gguf/smollm2-135m-instruct-q4_1-parity.json");
    static final Path IMPORTED = Path.of("target/test-data/gguf/smollm2-135m-instruct");

    static LanguageModel lm;

    @BeforeAll
    static void importModel() {
        assumeTrue(Files.exists(GgufTokenizerTest.GGUF), "../shared not present");
        FileTrees.deleteQuietly(IMPORTED);
        GgufImporter.importCheckpoint(GgufTokenizerTest.GGUF, IMPORTED, DType.F32);
        lm = LanguageModel.load(IMPORTED, EngineOptions.cpu(2));
    }

    @AfterAll
    static void close() {
        if (lm != null) {
            lm.close();
        }
        FileTrees.deleteQuietly(IMPORTED);
    }

    @Test
    void logitsAndGreedyTextMatchTransformersGgufLoading() throws IOException {
        List<GgufParity.Case> cases = GgufParity.check(lm, GgufParity.readReference(FIXTURE));
        assertEquals(3, cases.size());
        for (GgufParity.Case c : cases) {
            System.out.printf("gguf parity %-40s last-position logits max-abs diff vs transformers = %.3e%n",
                    c.prompt().replace("\n", "\\n"), c.maxAbsDiff());
            assertTrue(c.idsEqual(), "prompt ids of " + c.prompt());
            assertTrue(c.maxAbsDiff() <= BOUND, c.prompt() + ": logits differ by " + c.maxAbsDiff());
            assertTrue(c.greedyEqual(), "32 greedy tokens after " + c.prompt() + ": " + c.greedyText());
        }
    }

    @Test
    void answersTheCapitalOfFrance() {
        long[] ids = lm.tokenizer().encode("The capital of France is", true);
        GenerationResult r = lm.model().generate(ids, GenerationSettings.greedy(2));
        assertEquals(" Paris.", lm.tokenizer().decode(r.tokenIds(), true));
    }
}

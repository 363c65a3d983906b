package dev.claws.eval;

import static dev.claws.eval.TaskTestSupport.doc;
import static dev.claws.eval.WordTableScorer.LN2;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HellaSwagTaskTest {
    private final HellaSwagTask task = new HellaSwagTask();

    private static final String DOC = "{\"activity_label\": \"Home and Garden\","
            + " \"ctx_a\": \"[header] How to fix a chair [title] Tighten the screws.\","
            + " \"ctx_b\": \"use a SCREWDRIVER  that fits.\","
            + " \"endings\": [\"[step] Turn it clockwise.\", \" Glue it  [substeps] now. \", \"Sit.\", \"Burn it.\"],"
            + " \"label\": \"1\"}";

    @Test
    void preprocessesLikeTheHarness() {
        // " [title]" -> ". ", brackets removed, one pass of "  " -> " "
        assertEquals("Home and Garden: How to fix a chair. Tighten the screws. Use a screwdriver that fits.",
                HellaSwagTask.query("Home and Garden", "[header] How to fix a chair [title] Tighten the screws.",
                        "use a SCREWDRIVER  that fits."));
        assertEquals(" Turn it clockwise.", HellaSwagTask.preprocess("[step] Turn it clockwise."));
        assertEquals("Glue it  now.", HellaSwagTask.preprocess(" Glue it  [substeps] now. "));
        assertEquals("Baking: A woman bakes.", HellaSwagTask.query("Baking", "A woman bakes.", ""));
    }

    @Test
    void buildsOneRequestPerEnding() {
        MultipleChoiceItem item = task.item(doc(DOC));
        String query = "Home and Garden: How to fix a chair. Tighten the screws. Use a screwdriver that fits.";
        assertEquals(TaskTestSupport.requests(query, "  Turn it clockwise.", " Glue it  now.", " Sit.", " Burn it."),
                item.requests());
        assertEquals(List.of(" Turn it clockwise.", "Glue it  now.", "Sit.", "Burn it."), item.choices());
        assertEquals(1, item.gold());
        assertEquals(2, task.item(doc(DOC.replace("\"label\": \"1\"", "\"label\": 2"))).gold());
    }

    @Test
    void scoresAndNormalizesByCharacters() {
        MultipleChoiceItem item = task.item(doc(DOC));
        WordTableScorer model = new WordTableScorer(6, 256)
                .cost("  Turn", 2).cost(" it", 1).cost(" clockwise.", 3) // 6 bits, 19 chars
                .cost(" Glue", 2).cost("  now.", 1)                     // 2 + 1 + 1 = 4 bits, 13 chars
                .cost(" Sit.", 5)                                       // 5 bits, 4 chars
                .cost(" Burn", 1).cost(" it.", 1);                      // 1 + 1 = 2 bits, 8 chars
        ScoredItem scored = new MultipleChoiceScorer(model).score(item);
        double[] lls = scored.scores().stream().mapToDouble(LoglikelihoodResult::logLikelihood).toArray();
        assertEquals(-6 * LN2, lls[0], 1e-12);
        assertEquals(-4 * LN2, lls[1], 1e-12);
        assertEquals(-5 * LN2, lls[2], 1e-12);
        assertEquals(-2 * LN2, lls[3], 1e-12);
        assertEquals(3, scored.predicted());
        // per character: 6/19 = 0.316, 4/13 = 0.308, 5/4 = 1.25, 2/8 = 0.25 -> choice 3 again
        assertEquals(3, scored.predictedNorm());
        assertEquals(0.0, scored.acc());
    }
}

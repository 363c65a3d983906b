package dev.claws.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReadersTest {
    private static final List<String> ROWS = List.of("", " = Title = \n", "", " Body text , with words .\n", "");

    @Test
    void wikiTextExportedWithBlankLinesBetweenRows(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("wiki.test.raw");
        Files.writeString(file, String.join("\n\n", ROWS).replace("\n", "\r\n"), StandardCharsets.UTF_8);
        List<String> rows = new WikiTextReader().read(file);
        assertEquals(ROWS, rows);
        assertEquals(String.join("\n\n", ROWS), String.join(CrossEntropyEvaluator.RECORD_SEPARATOR, rows));
    }

    @Test
    void wikiTextOriginalReleaseOneRowPerLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("wiki.test.raw");
        Files.writeString(file, " \n = Title = \n \n Body text , with words .\n \n", StandardCharsets.UTF_8);
        assertEquals(ROWS, new WikiTextReader().read(file));
    }

    @Test
    void sharedWikiTextTestSplitHasTheHuggingFaceRows() throws IOException {
        Path file = Corpus.WIKITEXT2.file(sharedData());
        assumeTrue(Files.exists(file), "shared data not present");
        List<String> rows = Corpus.WIKITEXT2.read(sharedData());
        assertEquals(4358, rows.size());
        assertEquals(2891, rows.stream().filter(r -> !r.isEmpty()).count());
        assertEquals(" = Robert Boulter = \n", rows.get(1));
    }

    @Test
    void ptbRecordsAreStrippedLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ptb.test.txt");
        Files.writeString(file, " no it was n't black monday \n but while the new york stock exchange \n", StandardCharsets.UTF_8);
        assertEquals(List.of("no it was n't black monday", "but while the new york stock exchange"), new PtbReader().read(file));
    }

    @Test
    void alpacaUsesTheStanfordTemplate(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("alpaca_data.json");
        Files.writeString(file, "[\n {\"instruction\": \"Name a colour.\", \"input\": \"\", \"output\": \"Blue.\"},\n"
                + " {\"instruction\": \"Add the numbers.\", \"input\": \"2 and 3\", \"output\": \"5\"}\n]", StandardCharsets.UTF_8);
        List<String> records = new AlpacaReader().read(file);
        assertEquals(List.of(
                "Below is an instruction that describes a task. Write a response that appropriately completes the request."
                        + "\n\n### Instruction:\nName a colour.\n\n### Response:\nBlue.",
                "Below is an instruction that describes a task, paired with an input that provides further context. "
                        + "Write a response that appropriately completes the request."
                        + "\n\n### Instruction:\nAdd the numbers.\n\n### Input:\n2 and 3\n\n### Response:\n5"), records);
    }

    @Test
    void corporaByName() {
        assertEquals(Corpus.PTB, Corpus.byId("ptb").orElseThrow());
        assertEquals(Path.of("d/alpaca/alpaca_data_sample.json"), Corpus.ALPACA.file(Path.of("d")));
    }

    /** The shared data sets, {@code ../shared/data} from the repository root unless {@code claws.test.shared-data} says. */
    static Path sharedData() {
        return Path.of(System.getProperty("claws.test.shared-data", "../shared/data"));
    }
}

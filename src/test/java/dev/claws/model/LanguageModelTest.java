package dev.claws.model;

import dev.claws.model.io.CheckpointException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled models/claws-tiny through the text API: tokenizer offline, streaming, stop sequences. */
class LanguageModelTest {

    static final Path TINY = Path.of("models/claws-tiny");
    static LanguageModel lm;

    @BeforeAll
    static void load() {
        lm = LanguageModel.load(TINY, EngineOptions.cpu(2));
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    @Test
    void bundledModelAndTokenizerLoadOffline() {
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals(ModelConfig.Architecture.QWEN2, lm.model().config().architecture());
        String text = "The tower is 324 metres tall.";
        long[] ids = lm.tokenizer().encode(text);
        assertTrue(ids.length > 3 && ids.length < text.length(), "BPE merges should shorten the text");
        assertEquals(text, lm.tokenizer().decode(ids));
        assertEquals(List.of(0), lm.model().config().eosTokenIds());
    }

    @Test
    void streamedPiecesAddUpToTheText() {
        StringBuilder streamed = new StringBuilder();
        TextGeneration g = lm.generate("The history of the", GenerationSettings.greedy(24).withStopTokenIds(List.of()),
                List.of(), (piece, id) -> streamed.append(piece), null);
        assertEquals(g.text(), streamed.toString());
        assertEquals(24, g.tokenIds().length);
        assertEquals(StopReason.LENGTH, g.finishReason());
        assertEquals(lm.tokenizer().decode(g.tokenIds(), true), g.text());
    }

    @Test
    void stopSequenceCutsTheTextAndIsNeverStreamed() {
        GenerationSettings s = GenerationSettings.greedy(40).withStopTokenIds(List.of());
        String full = lm.generate("In 1990 the", s, List.of(), null, null).text();
        assertTrue(full.length() > 12, "need some text to pick a stop sequence from: '" + full + "'");
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        int at = full.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        TextGeneration g = lm.generate("In 1990 the", s, List.of("\u0000never", stop),
                (piece, id) -> streamed.append(piece), null);
        assertEquals(StopReason.STOP_SEQUENCE, g.finishReason());
        assertEquals(full.substring(0, at), g.text());
        assertEquals(g.text(), streamed.toString());
        assertFalse(streamed.toString().contains(stop));
    }

    @Test
    void missingTokenizerIsReported() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TextTokenizer.load(Fixtures.dir("qwen2-fp32-tied")));
        assertTrue(e.getMessage().contains("tokenizer.json not found"), e.getMessage());
    }
}

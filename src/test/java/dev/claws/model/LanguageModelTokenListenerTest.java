package dev.claws.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The text API's token listener: sees every generated id, in order, before the text it completes is streamed. */
class LanguageModelTokenListenerTest {

    private static LanguageModel lm;

    @BeforeAll
    static void load() {
        lm = LanguageModel.load(Path.of("models/claws-tiny"), EngineOptions.cpu(2));
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    @Test
    void tokenListenerSeesEveryIdBeforeItsText() {
        List<Long> seen = new ArrayList<>();
        List<Integer> seenWhenTextArrived = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        TextGeneration g = lm.generate("The history of the city begins", GenerationSettings.greedy(20), List.of(),
                id -> seen.add(id), (piece, id) -> {
                    seenWhenTextArrived.add(seen.size());
                    text.append(piece);
                    assertEquals(seen.get(seen.size() - 1), id);
                }, null);
        assertArrayEquals(g.tokenIds(), seen.stream().mapToLong(Long::longValue).toArray());
        assertEquals(g.text(), text.toString());
        assertTrue(seenWhenTextArrived.stream().allMatch(n -> n >= 1));
        TextGeneration plain = lm.generate("The history of the city begins", GenerationSettings.greedy(20),
                List.of(), null, null);
        assertArrayEquals(plain.tokenIds(), g.tokenIds(), "listening changes nothing");
    }

    @Test
    void returningFalseEndsTheGeneration() {
        int[] calls = {0};
        TextGeneration g = lm.generate("The history of the city begins", GenerationSettings.greedy(20), List.of(),
                id -> ++calls[0] < 5, null, null);
        assertEquals(5, g.tokenIds().length);
        assertEquals(StopReason.STOP_SEQUENCE, g.finishReason());
    }
}

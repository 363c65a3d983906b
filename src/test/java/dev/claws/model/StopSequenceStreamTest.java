package dev.claws.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stop sequences are matched only against complete characters of the text the client receives, whatever tokens split
 * a character: with the SmolLM2 tokenizer (../shared/models) and the bundled claws-tiny one.
 */
class StopSequenceStreamTest {

    static final Path SMOLLM2_TOKENIZER = Path.of("../shared/models/smollm2-135m-instruct-hf-reference/tokenizer.json");
    /** Texts whose characters byte-level BPE splits across tokens: 4-byte emoji and CJK, 2-byte accents, 3-byte CJK. */
    static final List<String> TEXTS = List.of(" 🦜𠮷ùé 我很好", "naïve café – 東京 🎉!", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ÆØÅ ½ 😀😃",
            "ü\n🦜\t𠮷", "Ωmega αβγ ✓ ✗ ← →");

    static TextTokenizer smollm2;
    static TextTokenizer tiny;

    @BeforeAll
    static void load() {
        assumeTrue(Files.exists(SMOLLM2_TOKENIZER), "../shared not present");
        smollm2 = TextTokenizer.load(SMOLLM2_TOKENIZER);
        tiny = TextTokenizer.load(Path.of("models/claws-tiny"));
    }

    @AfterAll
    static void close() {
        if (smollm2 != null) {
            smollm2.close();
            tiny.close();
        }
    }

    /** The reproduction: the 8 tokens SmolLM2 generated, the first byte of 🦜 decoding alone to U+FFFD. */
    @Test
    void aReplacementCharacterStopNeverFiresOnTheFirstBytesOfASplitCharacter() {
        long[] generated = {15107, 116, 246, 187, 250, 123, 132, 45586};
        assertEquals(" \uFFFD", smollm2.decode(new long[] {15107, 116}, true), "the split the fault needs");
        List<String> pieces = new ArrayList<>();
        StopSequenceStream stream = new StopSequenceStream(smollm2, List.of("\uFFFD"), (p, id) -> pieces.add(p));
        for (long id : generated) {
            assertTrue(stream.accept(id), "stopped at token " + id + " with text '" + stream.text() + "'");
        }
        stream.finish(generated[generated.length - 1]);
        assertEquals(" 🦜𠮷ù", stream.text());
        assertEquals(" 🦜𠮷ù", String.join("", pieces));
        pieces.forEach(p -> assertFalse(p.contains("\uFFFD"), "streamed half a character: " + p));
    }

    @Test
    void everyStopIsFoundAtItsFirstCompleteOccurrenceWhateverTheTokenSplit() {
        for (TextTokenizer tokenizer : List.of(smollm2, tiny)) {
            for (String text : TEXTS) {
                long[] ids = tokenizer.encode(text, false, false);
                assertEquals(text, tokenizer.decode(ids, true));
                for (String stop : stops(text)) {
                    List<String> pieces = new ArrayList<>();
                    StopSequenceStream stream = new StopSequenceStream(tokenizer, List.of(stop),
                            (p, id) -> pieces.add(p));
                    boolean stopped = false;
                    for (long id : ids) {
                        if (!stream.accept(id)) {
                            stopped = true;
                            break;
                        }
                    }
                    if (!stopped) {
                        stream.finish(ids[ids.length - 1]);
                    }
                    int at = text.indexOf(stop);
                    String expected = at < 0 ? text : text.substring(0, at);
                    String label = "text '" + text + "', stop '" + stop + "'";
                    assertEquals(at >= 0, stopped, label);
                    assertEquals(expected, stream.text(), label);
                    assertEquals(expected, String.join("", pieces), label);
                }
            }
        }
    }

    /** U+FFFD, every character and every 2- and 3-character substring (code points kept whole), and a miss. */
    private static Set<String> stops(String text) {
        Set<String> out = new LinkedHashSet<>(List.of("\uFFFD", "\uFFFD\uFFFD", "not in the text"));
        int[] cps = text.codePoints().toArray();
        for (int len = 1; len <= 3; len++) {
            for (int i = 0; i + len <= cps.length; i++) {
                out.add(new String(cps, i, len));
            }
        }
        return out;
    }
}

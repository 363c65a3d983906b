package dev.claws.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Special-token literals in text: parsed into control tokens by default (Hugging Face's default call), plain text when
 * asked. Expected ids from Hugging Face tokenizers (src/test/python/make_special_token_fixtures.py).
 */
class TextTokenizerTest {

    static TextTokenizer smollm2;
    static TextTokenizer tiny;

    @BeforeAll
    static void load() {
        assumeTrue(Files.exists(StopSequenceStreamTest.SMOLLM2_TOKENIZER), "../shared not present");
        smollm2 = TextTokenizer.load(StopSequenceStreamTest.SMOLLM2_TOKENIZER);
        tiny = TextTokenizer.load(Path.of("models/claws-tiny"));
    }

    @AfterAll
    static void close() {
        if (smollm2 != null) {
            smollm2.close();
            tiny.close();
        }
    }

    @Test
    void specialTokenTextIsAControlTokenByDefaultAndPlainTextWhenAsked() {
        String text = "Say the word <|endoftext|> twice";
        long[] parsed = {36218, 260, 2229, 216, 0, 6757};
        long[] plain = {36218, 260, 2229, 2067, 108, 486, 1714, 2692, 108, 46, 6757};
        assertArrayEquals(parsed, smollm2.encode(text, false));
        assertArrayEquals(parsed, smollm2.encode(text, false, true));
        assertArrayEquals(plain, smollm2.encode(text, false, false));
        assertEquals(text, smollm2.decode(plain, false));

        String chat = "<|im_start|>user\nhi<|im_end|>";
        assertArrayEquals(new long[] {1, 4093, 198, 6004, 2}, smollm2.encode(chat, false));
        assertArrayEquals(new long[] {44, 108, 306, 79, 3738, 108, 46, 4093, 198, 6004, 44, 108, 306, 79, 486, 108, 46},
                smollm2.encode(chat, false, false));
    }

    @Test
    void plainTextNeverYieldsASpecialTokenAndOrdinaryTextIsUnchanged() {
        for (String special : List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<repo_name>", "<file_sep>")) {
            long[] asControl = smollm2.encode(special, false);
            assertEquals(1, asControl.length, special);
            for (String around : List.of("%s", "a%sb", " %s ", "%s%s", "\n%s\n")) {
                String text = around.replace("%s", special);
                long[] plain = smollm2.encode(text, false, false);
                assertFalse(Arrays.stream(plain).anyMatch(id -> id == asControl[0]), text);
                assertEquals(text, smollm2.decode(plain, false));
            }
        }
        long[] eos = tiny.encode("<|endoftext|>", false);
        assertArrayEquals(new long[] {0}, eos);
        assertFalse(Arrays.stream(tiny.encode("x <|endoftext|> y", false, false)).anyMatch(id -> id == 0));
        for (String ordinary : StopSequenceStreamTest.TEXTS) {
            assertArrayEquals(smollm2.encode(ordinary, false), smollm2.encode(ordinary, false, false));
            assertArrayEquals(tiny.encode(ordinary, true), tiny.encode(ordinary, true, false));
        }
    }
}

package dev.claws.model.gguf;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.claws.model.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tokenizer rebuilt from the SmolLM2-135M-Instruct GGUF gives the same ids as the tokenizer.json transformers
 * derives from that file (../shared/models/smollm2-135m-instruct-hf-reference), on the whole WikiText-2 test split
 * and on multilingual, emoji, code and special-token text; the chat template and special tokens are carried over.
 */
class GgufTokenizerTest {

    static final Path MODELS = Path.of("../shared/models");
    static final Path GGUF = MODELS.resolve("SmolLM2-135M-Instruct.Q4_1.gguf");
    static final Path REFERENCE = MODELS.resolve("smollm2-135m-instruct-hf-reference");
    static final Path WIKITEXT = Path.of("../shared/data/wikitext-2-raw/wiki.test.raw");

    static final String SAMPLE = "Grüße aus Köln! Ça va? Привет, мир. 你好，世界。こんにちは 안녕하세요 مرحبا नमस्ते "
            + "🤗🚀👩‍👩‍👧‍👦 🇫🇷 ½ ≠ ∞ — “quotes” 'single' it's we'll I'M\n"
            + "def f(x):\n\tif x >= 10_000:\n        return {\"k\": [1, 2.5e-3]}  # comment\n\n\n"
            + "   leading and trailing spaces   \r\n12345678901234 0x1F <|im_start|>user\nHi<|im_end|>\n"
            + "<|endoftext|><repo_name>x</s>";

    @TempDir
    Path dir;

    @Test
    void idsEqualTheTransformersTokenizer() throws IOException {
        assumeTrue(Files.exists(GGUF) && Files.exists(WIKITEXT), "../shared not present");
        try (GgufFile f = GgufFile.open(GGUF)) {
            GgufTokenizer.of(f).write(dir);
        }
        String wiki = Files.readString(WIKITEXT, StandardCharsets.UTF_8);
        try (TextTokenizer ours = TextTokenizer.load(dir); TextTokenizer ref = TextTokenizer.load(REFERENCE)) {
            long[] want = ref.encode(wiki, true);
            assertTrue(want.length > 250_000, "WikiText-2 test split: " + want.length + " tokens");
            assertArrayEquals(want, ours.encode(wiki, true), "WikiText-2 test split");
            assertArrayEquals(ref.encode(SAMPLE, true), ours.encode(SAMPLE, true), "sample");
            assertArrayEquals(ref.encode(SAMPLE, false), ours.encode(SAMPLE, false), "sample without specials");
            long[] chat = ours.encode("<|im_start|>user\nHi<|im_end|>", true);
            assertEquals(1, chat[0], "<|im_start|> stays one special token");
            assertEquals(SAMPLE, ours.decode(ours.encode(SAMPLE, false), false));
            assertEquals(ref.decode(want, true), ours.decode(want, true));
        }
    }

    @Test
    void carriesSpecialTokensAndTheChatTemplate() throws IOException {
        assumeTrue(Files.exists(GGUF), "../shared not present");
        try (GgufFile f = GgufFile.open(GGUF)) {
            GgufTokenizer.of(f).write(dir);
        }
        JsonObject cfg = JsonParser.parseString(Files.readString(dir.resolve(GgufTokenizer.CONFIG_FILE)))
                .getAsJsonObject();
        JsonObject ref = JsonParser.parseString(Files.readString(REFERENCE.resolve(GgufTokenizer.CONFIG_FILE)))
                .getAsJsonObject();
        for (String k : new String[] {"bos_token", "eos_token", "unk_token", "pad_token"}) {
            assertEquals(ref.get(k), cfg.get(k), k);
        }
        assertFalse(cfg.get("add_bos_token").getAsBoolean());
        String template = Files.readString(REFERENCE.resolve(GgufTokenizer.CHAT_TEMPLATE_FILE));
        assertEquals(template, cfg.get("chat_template").getAsString());
        assertEquals(template, Files.readString(dir.resolve(GgufTokenizer.CHAT_TEMPLATE_FILE)));
    }
}

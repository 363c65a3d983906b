package dev.claws.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chat templates render what transformers' apply_chat_template renders: the same text and the same token ids
 * (fixture from src/test/python/make_chat_fixtures.py on SmolLM2-135M-Instruct's tokenizer and template).
 */
class ChatTemplateTest {

    static final Path CHECKPOINT = Path.of("../shared/models/smollm2-135m-instruct-hf-reference");
    static final Path FIXTURE = Path.of("src/test/resources/fixtures/chat/chat_templates.json");

    private static JsonNode fixture;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        assumeTrue(Files.exists(CHECKPOINT.resolve("tokenizer.json")), "../shared not present");
        fixture = new ObjectMapper().readTree(FIXTURE.toFile());
        tokenizer = TextTokenizer.load(CHECKPOINT);
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    private static ChatTemplate template(String name) {
        if (name.equals("smollm2")) {
            return ChatTemplate.load(CHECKPOINT).orElseThrow();
        }
        JsonNode tokens = fixture.get("special_tokens");
        return ChatTemplate.of(fixture.get("templates").get(name).textValue(), Map.of(
                "bos_token", tokens.get("bos_token").textValue(), "eos_token", tokens.get("eos_token").textValue()));
    }

    private static List<ChatTemplate.Message> messages(JsonNode array) {
        List<ChatTemplate.Message> out = new ArrayList<>();
        array.forEach(m -> out.add(new ChatTemplate.Message(m.get("role").textValue(), m.get("content").textValue())));
        return out;
    }

    @Test
    void rendersTheTextAndTokenIdsOfTransformers() {
        int checked = 0;
        for (JsonNode c : fixture.get("cases")) {
            ChatTemplate template = template(c.get("template").textValue());
            boolean generationPrompt = c.get("add_generation_prompt").booleanValue();
            String text = template.render(messages(c.get("messages")), generationPrompt);
            String label = c.get("template").textValue() + " " + c.get("messages") + " add_generation_prompt="
                    + generationPrompt;
            assertEquals(c.get("text").textValue(), text, label);
            long[] expected = new long[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.get("ids").get(i).longValue();
            }
            // encoded exactly as generation encodes a prompt (with the tokenizer's special tokens)
            assertArrayEquals(expected, tokenizer.encode(ChatTemplate.forEncoding(text, tokenizer), true), label);
            checked++;
        }
        assertEquals(12, checked);
    }

    @Test
    void theGenerationPromptOpensAnAssistantTurn() {
        ChatTemplate template = template("smollm2");
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("user", "Hi"));
        String with = template.render(chat, true);
        String without = template.render(chat, false);
        assertEquals(without + "<|im_start|>assistant\n", with);
    }

    @Test
    void raiseExceptionRefusesTheConversationWithTheTemplatesMessage() {
        JsonNode refused = fixture.get("refused");
        ChatTemplate template = template(refused.get("template").textValue());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> template.render(messages(refused.get("messages")), false));
        assertTrue(e.getMessage().contains(refused.get("message").textValue()), e.getMessage());
    }

    @Test
    void specialTokensComeFromTokenizerConfig() {
        ChatTemplate template = template("smollm2");
        assertEquals("<|im_end|>", template.specialToken("eos_token").orElseThrow());
        assertEquals("<|im_start|>", template.specialToken("bos_token").orElseThrow());
    }

    @Test
    void tokenizerConfigTemplatesAreReadWhenNoJinjaFileExists(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve(ChatTemplate.TOKENIZER_CONFIG), "{\"eos_token\": {\"content\": \"</s>\"},"
                + "\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"x\"},"
                + "{\"name\": \"default\", \"template\": \"{% for m in messages %}{{ m['content'] + eos_token }}"
                + "{% endfor %}\"}]}");
        ChatTemplate template = ChatTemplate.load(dir).orElseThrow();
        assertEquals("a</s>b</s>", template.render(List.of(new ChatTemplate.Message("user", "a"),
                new ChatTemplate.Message("assistant", "b")), false));
        Files.writeString(dir.resolve(ChatTemplate.TOKENIZER_CONFIG), "{\"eos_token\": \"</s>\"}");
        assertFalse(ChatTemplate.load(dir).isPresent());
    }

    @Test
    void strftimeNowFormatsTheCurrentDate() {
        String date = ChatTemplate.strftimeNow("%d %b %Y");
        assertTrue(date.matches("\\d\\d [A-Z][a-z]{2} \\d{4}"), date);
    }
}

package dev.claws.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.claws.model.io.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The chat template of a checkpoint, rendered the way Hugging Face transformers' {@code apply_chat_template} renders it:
 * the Jinja source from {@code chat_template.jinja} (transformers 5 writes that file) or else tokenizer_config.json's
 * {@code "chat_template"} (a string, or a list of named templates of which "default" is used), evaluated by Jinjava
 * with what transformers provides ({@code messages}, {@code add_generation_prompt}, the special tokens of
 * tokenizer_config.json such as {@code bos_token} and {@code eos_token}, {@code raise_exception}, {@code strftime_now}),
 * and with transformers' environment settings: trim_blocks and lstrip_blocks on, the template's final newline dropped.
 * Thread-safe.
 */
public final class ChatTemplate {

    public static final String JINJA_FILE = "chat_template.jinja";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    private static final List<String> SPECIAL_TOKEN_ROLES = List.of("bos_token", "eos_token", "unk_token", "pad_token");

    /** One chat turn: role (system, user, assistant, ...) and its text. */
    public record Message(String role, String content) {
        public Message {
            if (role == null || content == null) {
                throw new IllegalArgumentException("a chat message needs a role and a content");
            }
        }
    }

    private final String source;
    private final Map<String, String> specialTokens;
    private final Jinjava jinjava;

    private ChatTemplate(String source, Map<String, String> specialTokens) {
        this.source = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        this.specialTokens = Map.copyOf(specialTokens);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // Jinja (Python) semantics where Jinjava keeps its own by default: whitespace control on
                // expression tags, operator precedence, iterating a mapping yields its keys
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withIterateOverMapKeys(true)
                        .withEvaluateMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                ChatTemplate.class, "strftimeNow", String.class));
    }

    /** A template from its Jinja source and the special tokens it may refer to (role name to token text). */
    public static ChatTemplate of(String source, Map<String, String> specialTokens) {
        return new ChatTemplate(source, specialTokens);
    }

    /**
     * The chat template of a checkpoint directory, empty when it has none.
     *
     * @throws CheckpointException when a template file exists but cannot be read
     */
    public static Optional<ChatTemplate> load(Path directory) {
        JsonNode config = readConfig(directory.resolve(TOKENIZER_CONFIG));
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String role : SPECIAL_TOKEN_ROLES) {
            String text = tokenText(config.get(role));
            if (text != null) {
                tokens.put(role, text);
            }
        }
        Path jinja = directory.resolve(JINJA_FILE);
        if (Files.isRegularFile(jinja)) {
            try {
                return Optional.of(new ChatTemplate(Files.readString(jinja), tokens));
            } catch (IOException e) {
                throw new CheckpointException("cannot read " + jinja + ": " + e.getMessage(), e);
            }
        }
        JsonNode template = config.get("chat_template");
        if (template != null && template.isTextual()) {
            return Optional.of(new ChatTemplate(template.textValue(), tokens));
        }
        if (template != null && template.isArray()) {
            for (JsonNode named : template) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    return Optional.of(new ChatTemplate(named.path("template").textValue(), tokens));
                }
            }
        }
        return Optional.empty();
    }

    /** generation_config.json's eos_token_id (a number or a list), empty when the file or the key is absent. */
    public static List<Integer> generationConfigEosIds(Path directory) {
        Path file = directory.resolve("generation_config.json");
        JsonNode eos = readConfig(file).get("eos_token_id");
        List<Integer> ids = new ArrayList<>();
        if (eos != null && eos.isInt()) {
            ids.add(eos.intValue());
        } else if (eos != null && eos.isArray()) {
            eos.forEach(id -> {
                if (id.isInt()) {
                    ids.add(id.intValue());
                }
            });
        }
        return ids;
    }

    /** The text of a special token of tokenizer_config.json ("eos_token", ...), if the checkpoint names one. */
    public Optional<String> specialToken(String role) {
        return Optional.ofNullable(specialTokens.get(role));
    }

    /**
     * Renders a conversation.
     *
     * @param addGenerationPrompt whether to end with the opening of an assistant turn (for generating the reply)
     * @throws IllegalArgumentException when the template refuses the messages (its raise_exception) or fails
     */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> turn = new HashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        bindings.put("messages", turns);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(source, bindings);
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                Throwable cause = e.getException();
                while (cause != null && !(cause instanceof TemplateRefusal) && cause.getCause() != null) {
                    cause = cause.getCause();
                }
                String why = cause instanceof TemplateRefusal ? cause.getMessage() : e.getMessage();
                throw new IllegalArgumentException("the chat template refused the messages: " + why);
            }
        }
        return result.getOutput();
    }

    /**
     * The rendered text as generation encodes it, with the tokenizer's own special tokens: transformers encodes a
     * rendered chat without them, so a leading token the template wrote itself (e.g. {@code bos_token}) and the
     * tokenizer's post-processor would add again is dropped here; the token ids then equal transformers'.
     */
    public static String forEncoding(String rendered, TextTokenizer tokenizer) {
        long[] added = tokenizer.encode("", true);
        if (added.length == 0) {
            return rendered;
        }
        String prefix = tokenizer.decode(added, false);
        return rendered.startsWith(prefix) ? rendered.substring(prefix.length()) : rendered;
    }

    /** The template's {@code raise_exception(message)}: refuses the conversation. */
    public static Object raiseException(String message) {
        throw new TemplateRefusal(message);
    }

    /** The template's {@code strftime_now(format)}: the current local time in a Python strftime format. */
    public static String strftimeNow(String format) {
        ZonedDateTime now = ZonedDateTime.now();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'Y' -> out.append(now.getYear());
                case 'y' -> out.append(String.format("%02d", now.getYear() % 100));
                case 'm' -> out.append(String.format("%02d", now.getMonthValue()));
                case 'd' -> out.append(String.format("%02d", now.getDayOfMonth()));
                case 'H' -> out.append(String.format("%02d", now.getHour()));
                case 'I' -> out.append(String.format("%02d", (now.getHour() + 11) % 12 + 1));
                case 'M' -> out.append(String.format("%02d", now.getMinute()));
                case 'S' -> out.append(String.format("%02d", now.getSecond()));
                case 'p' -> out.append(now.getHour() < 12 ? "AM" : "PM");
                case 'j' -> out.append(String.format("%03d", now.getDayOfYear()));
                case 'b' -> out.append(now.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(now.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> out.append(now.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case '%' -> out.append('%');
                default -> out.append('%').append(d);
            }
        }
        return out.toString();
    }

    private static JsonNode readConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            return new ObjectMapper().createObjectNode();
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A special token is written as its text or as an added-token object with a "content" field. */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode text = node.isObject() ? node.get("content") : node;
        return text == null || !text.isTextual() ? null : text.textValue();
    }

    /** Thrown by raise_exception inside a template. */
    private static final class TemplateRefusal extends RuntimeException {
        TemplateRefusal(String message) {
            super(message);
        }
    }
}

package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Field access on benchmark documents with errors that name the missing or malformed field. */
final class DocFields {
    private DocFields() {
    }

    static JsonNode node(JsonNode doc, String field) {
        JsonNode value = doc.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(field + ": missing");
        }
        return value;
    }

    /** A scalar rendered as Jinja renders it into a prompt (strings as they are). */
    static String text(JsonNode doc, String field) {
        JsonNode value = node(doc, field);
        if (value.isContainerNode()) {
            throw new IllegalArgumentException(field + ": expected a string");
        }
        return value.asText();
    }

    static List<String> texts(JsonNode doc, String field) {
        JsonNode value = node(doc, field);
        if (!value.isArray()) {
            throw new IllegalArgumentException(field + ": expected an array of strings");
        }
        List<String> out = new ArrayList<>(value.size());
        for (JsonNode element : value) {
            if (element.isContainerNode() || element.isNull()) {
                throw new IllegalArgumentException(field + ": expected an array of strings");
            }
            out.add(element.asText());
        }
        return out;
    }

    /** A class index stored as a number, a digit string ({@code "2"}) or a boolean (false = 0, true = 1). */
    static int index(JsonNode doc, String field) {
        JsonNode value = node(doc, field);
        if (value.isBoolean()) {
            return value.booleanValue() ? 1 : 0;
        }
        if (value.isIntegralNumber()) {
            return value.intValue();
        }
        String s = value.asText().strip();
        if (value.isTextual() && !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 10) {
            return Integer.parseInt(s);
        }
        throw new IllegalArgumentException(field + ": expected a class index, got " + value);
    }
}

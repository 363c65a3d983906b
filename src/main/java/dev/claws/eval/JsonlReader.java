package dev.claws.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads benchmark files: one JSON object per line (jsonl), or a single JSON array of objects. */
public final class JsonlReader {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonlReader() {
    }

    /** Up to {@code limit} records (all when {@code limit <= 0}); blank lines are skipped. */
    public static List<JsonNode> read(Path file, int limit) throws IOException {
        int max = limit <= 0 ? Integer.MAX_VALUE : limit;
        String head = firstNonBlankChar(file);
        if ("[".equals(head)) {
            JsonNode array = MAPPER.readTree(file.toFile());
            List<JsonNode> docs = new ArrayList<>();
            for (JsonNode doc : array) {
                if (docs.size() >= max) {
                    break;
                }
                docs.add(requireObject(doc, docs.size() + 1));
            }
            return docs;
        }
        List<JsonNode> docs = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while (docs.size() < max && (line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    docs.add(requireObject(MAPPER.readTree(line), lineNumber));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(
                            file.getFileName() + " line " + lineNumber + ": not valid JSON: " + e.getOriginalMessage(), e);
                }
            }
        }
        return docs;
    }

    private static JsonNode requireObject(JsonNode node, int position) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("record " + position + ": expected a JSON object");
        }
        return node;
    }

    private static String firstNonBlankChar(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int c;
            while ((c = reader.read()) != -1) {
                if (!Character.isWhitespace(c) && c != 0xFEFF) {
                    return String.valueOf((char) c);
                }
            }
        }
        return "";
    }
}

package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small helpers for the task tests: parse a document, write a jsonl file, list a document's request strings. */
final class TaskTestSupport {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TaskTestSupport() {
    }

    static JsonNode doc(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeLines(Path dir, String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    static List<LoglikelihoodRequest> requests(String context, String... continuations) {
        return java.util.Arrays.stream(continuations).map(c -> new LoglikelihoodRequest(context, c)).toList();
    }
}

package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PIQA ({@code piqa}): text {@code "Question: {{goal}}\nAnswer:"}, choices {@code [sol1, sol2]}, target {@code label}.
 * Reads {@code goal, sol1, sol2, label}; for the original release, whose labels sit in a separate
 * {@code <name>-labels.lst} file next to {@code <name>.jsonl}, those labels are joined in when records lack one.
 */
public final class PiqaTask implements MultipleChoiceTask {

    @Override
    public String name() {
        return "piqa";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.ACC, Metric.ACC_NORM);
    }

    public static String prompt(String goal) {
        return "Question: " + goal + "\nAnswer:";
    }

    @Override
    public MultipleChoiceItem item(JsonNode doc) {
        String goal = DocFields.text(doc, "goal");
        List<String> choices = List.of(DocFields.text(doc, "sol1"), DocFields.text(doc, "sol2"));
        return MultipleChoiceItem.ofChoices(prompt(goal), choices, DocFields.index(doc, "label"));
    }

    @Override
    public List<MultipleChoiceItem> load(Path file, int limit) throws IOException {
        String name = file.getFileName().toString();
        Path labels = file.resolveSibling(name.replaceFirst("\\.jsonl?$", "") + "-labels.lst");
        if (!Files.exists(labels)) {
            return MultipleChoiceTask.super.load(file, limit);
        }
        List<String> labelLines = Files.readAllLines(labels, StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        List<JsonNode> docs = JsonlReader.read(file, limit);
        List<MultipleChoiceItem> items = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            JsonNode doc = docs.get(i);
            if (!doc.has("label")) {
                if (i >= labelLines.size()) {
                    throw new IllegalArgumentException(labels.getFileName() + ": fewer labels than records");
                }
                doc = ((ObjectNode) doc.deepCopy()).put("label", labelLines.get(i));
            }
            try {
                items.add(item(doc));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " record " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return items;
    }
}

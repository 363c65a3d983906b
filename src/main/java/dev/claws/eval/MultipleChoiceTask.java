package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A zero-shot multiple-choice benchmark in lm-evaluation-harness's prompt format. */
public interface MultipleChoiceTask {

    /** The harness task name, e.g. {@code arc_easy}. */
    String name();

    /** The metrics the harness reports for this task. */
    List<Metric> metrics();

    /**
     * Builds the scoring item of one published document.
     *
     * @throws IllegalArgumentException naming the field when the document lacks a field or holds a bad value
     */
    MultipleChoiceItem item(JsonNode doc);

    /** Reads up to {@code limit} documents (all when {@code limit <= 0}) of a published jsonl file. */
    default List<MultipleChoiceItem> load(Path file, int limit) throws IOException {
        List<JsonNode> docs = JsonlReader.read(file, limit);
        List<MultipleChoiceItem> items = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            try {
                items.add(item(docs.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file.getFileName() + " record " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return items;
    }
}

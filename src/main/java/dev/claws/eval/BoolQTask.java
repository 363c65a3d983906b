package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * BoolQ ({@code boolq}, SuperGLUE): text {@code "{{passage}}\nQuestion: {{question}}?\nAnswer:"}, choices
 * {@code ["no", "yes"]}, target {@code label}. Reads {@code label} (SuperGLUE: 0/1 or false/true) or, in the original
 * release, the boolean {@code answer}.
 */
public final class BoolQTask implements MultipleChoiceTask {
    private static final List<String> CHOICES = List.of("no", "yes");

    @Override
    public String name() {
        return "boolq";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.ACC);
    }

    public static String prompt(String passage, String question) {
        return passage + "\nQuestion: " + question + "?\nAnswer:";
    }

    @Override
    public MultipleChoiceItem item(JsonNode doc) {
        String labelField = doc.hasNonNull("label") ? "label" : "answer";
        int gold = DocFields.index(doc, labelField);
        return MultipleChoiceItem.ofChoices(
                prompt(DocFields.text(doc, "passage"), DocFields.text(doc, "question")), CHOICES, gold);
    }
}

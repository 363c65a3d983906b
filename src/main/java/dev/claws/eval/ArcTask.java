package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * ARC ({@code arc_easy}, {@code arc_challenge}): text {@code "Question: {{question}}\nAnswer:"}, choices
 * {@code choices.text}, target {@code choices.label.index(answerKey)}. Reads the Hugging Face layout
 * ({@code question} string, {@code choices: {text: [...], label: [...]}}) and the original AI2 release
 * ({@code question: {stem, choices: [{text, label}]}}).
 */
public final class ArcTask implements MultipleChoiceTask {
    private final String name;

    private ArcTask(String name) {
        this.name = name;
    }

    public static ArcTask easy() {
        return new ArcTask("arc_easy");
    }

    public static ArcTask challenge() {
        return new ArcTask("arc_challenge");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.ACC, Metric.ACC_NORM);
    }

    public static String prompt(String question) {
        return "Question: " + question + "\nAnswer:";
    }

    @Override
    public MultipleChoiceItem item(JsonNode doc) {
        JsonNode questionNode = DocFields.node(doc, "question");
        String question;
        List<String> texts;
        List<String> labels;
        if (questionNode.isObject()) {
            question = DocFields.text(questionNode, "stem");
            texts = new ArrayList<>();
            labels = new ArrayList<>();
            JsonNode choices = DocFields.node(questionNode, "choices");
            for (JsonNode choice : choices) {
                texts.add(DocFields.text(choice, "text"));
                labels.add(DocFields.text(choice, "label"));
            }
        } else {
            question = DocFields.text(doc, "question");
            JsonNode choices = DocFields.node(doc, "choices");
            texts = DocFields.texts(choices, "text");
            labels = DocFields.texts(choices, "label");
        }
        String answerKey = DocFields.text(doc, "answerKey");
        int gold = labels.indexOf(answerKey);
        if (gold < 0 || texts.size() != labels.size()) {
            throw new IllegalArgumentException("answerKey: must be one of the choice labels " + labels + ", got " + answerKey);
        }
        return MultipleChoiceItem.ofChoices(prompt(question), texts, gold);
    }
}

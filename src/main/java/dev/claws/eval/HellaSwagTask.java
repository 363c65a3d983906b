package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * HellaSwag ({@code hellaswag}) with the harness's {@code process_docs}: {@code ctx = ctx_a + " " + ctx_b.capitalize()},
 * query {@code preprocess(activity_label + ": " + ctx)}, choices {@code preprocess(ending)} for each ending, target
 * {@code label}.
 */
public final class HellaSwagTask implements MultipleChoiceTask {
    private static final Pattern BRACKETED = Pattern.compile("\\[.*?\\]");

    @Override
    public String name() {
        return "hellaswag";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.ACC, Metric.ACC_NORM);
    }

    /**
     * The harness's {@code preprocess}: strip; {@code " [title]"} becomes {@code ". "}; bracketed WikiHow artifacts are
     * removed; double spaces become single (one left-to-right pass, as Python's {@code str.replace}).
     */
    public static String preprocess(String text) {
        String t = PythonText.strip(text);
        t = t.replace(" [title]", ". ");
        t = BRACKETED.matcher(t).replaceAll("");
        return t.replace("  ", " ");
    }

    public static String query(String activityLabel, String ctxA, String ctxB) {
        return preprocess(activityLabel + ": " + ctxA + " " + PythonText.capitalize(ctxB));
    }

    @Override
    public MultipleChoiceItem item(JsonNode doc) {
        String query = query(DocFields.text(doc, "activity_label"), DocFields.text(doc, "ctx_a"), DocFields.text(doc, "ctx_b"));
        List<String> choices = new ArrayList<>();
        for (String ending : DocFields.texts(doc, "endings")) {
            choices.add(preprocess(ending));
        }
        return MultipleChoiceItem.ofChoices(query, choices, DocFields.index(doc, "label"));
    }
}

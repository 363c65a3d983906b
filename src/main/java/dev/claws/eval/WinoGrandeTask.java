package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * WinoGrande ({@code winogrande}) with partial evaluation: the sentence is cut at the blank {@code _}; each option
 * completes the left part ({@code sentence[:idx] + option}), and the same right part, {@code sentence[idx+1:].strip()},
 * is scored after each as {@code " " + target}. Gold is {@code {"1": 0, "2": 1}[answer]}. acc_norm (not reported by the
 * harness for this task) would divide by the length of the partial sentences, which are the harness's choices.
 */
public final class WinoGrandeTask implements MultipleChoiceTask {

    @Override
    public String name() {
        return "winogrande";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(Metric.ACC);
    }

    @Override
    public MultipleChoiceItem item(JsonNode doc) {
        String sentence = DocFields.text(doc, "sentence");
        int blank = sentence.indexOf('_');
        if (blank < 0) {
            throw new IllegalArgumentException("sentence: must contain the blank '_'");
        }
        String target = PythonText.strip(sentence.substring(blank + 1));
        List<String> contexts = List.of(
                sentence.substring(0, blank) + DocFields.text(doc, "option1"),
                sentence.substring(0, blank) + DocFields.text(doc, "option2"));
        String answer = DocFields.text(doc, "answer");
        int gold = switch (answer) {
            case "1" -> 0;
            case "2" -> 1;
            default -> throw new IllegalArgumentException("answer: must be \"1\" or \"2\", got " + answer);
        };
        String continuation = MultipleChoiceItem.TARGET_DELIMITER + target;
        return new MultipleChoiceItem(
                contexts.stream().map(c -> new LoglikelihoodRequest(c, continuation)).toList(), contexts, gold);
    }
}

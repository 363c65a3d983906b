package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stanford Alpaca ({@code alpaca_data.json}: a JSON array of {@code instruction, input, output}), each record rendered
 * with the Stanford Alpaca prompt template followed by a newline and the output. This is the {@code text} column of the
 * Hugging Face {@code tatsu-lab/alpaca} copy that the reference perplexity code evaluates:
 * <pre>
 * with input:    "Below is an instruction that describes a task, paired with an input that provides further context.
 *                 Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}
 *                 \n\n### Input:\n{input}\n\n### Response:\n{output}"
 * without input: "Below is an instruction that describes a task. Write a response that appropriately completes the
 *                 request.\n\n### Instruction:\n{instruction}\n\n### Response:\n{output}"
 * </pre>
 * (no line breaks other than the {@code \n} shown; "without input" means the input is the empty string). Jsonl files
 * with the same fields are read too.
 */
public final class AlpacaReader implements CorpusReader {
    static final String PROMPT_INPUT = "Below is an instruction that describes a task, paired with an input that provides "
            + "further context. Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\n%s\n\n### Input:\n%s\n\n### Response:";
    static final String PROMPT_NO_INPUT = "Below is an instruction that describes a task. "
            + "Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\n%s\n\n### Response:";

    @Override
    public List<String> read(Path file) throws IOException {
        List<JsonNode> docs = JsonlReader.read(file, 0);
        List<String> records = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            try {
                JsonNode doc = docs.get(i);
                String input = doc.hasNonNull("input") ? DocFields.text(doc, "input") : "";
                records.add(render(DocFields.text(doc, "instruction"), input, DocFields.text(doc, "output")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file.getFileName() + " record " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return records;
    }

    public static String render(String instruction, String input, String output) {
        String prompt = input.isEmpty()
                ? PROMPT_NO_INPUT.formatted(instruction)
                : PROMPT_INPUT.formatted(instruction, input);
        return prompt + "\n" + output;
    }
}

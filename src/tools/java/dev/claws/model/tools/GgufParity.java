package dev.claws.model.tools;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.claws.model.EngineOptions;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;
import dev.claws.model.LanguageModel;
import dev.claws.model.gguf.GgufImporter;
import dev.claws.model.io.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Compares a model imported from GGUF with what transformers computes when it loads the same GGUF (a reference
 * written by src/test/python/make_gguf_parity_fixture.py): per prompt, whether the prompt ids are equal, the max-abs
 * difference of the last-position logits over the reference's top-k, slice and maximum, and whether the greedy
 * continuation (no stop token) is identical.
 * <pre>
 *   ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.model.tools.GgufParity \
 *     -Dexec.args="--gguf models/Qwen2.5-Coder-0.5B-Instruct.gguf --reference /tmp/qwen-parity.json --work /tmp/qwen"
 * </pre>
 */
public final class GgufParity {

    /** What one prompt gave. */
    public record Case(String prompt, boolean idsEqual, double maxAbsDiff, boolean greedyEqual, String greedyText) {
    }

    private GgufParity() {
    }

    /** Runs every case of {@code reference} on {@code lm}. */
    public static List<Case> check(LanguageModel lm, JsonObject reference) {
        List<Case> out = new ArrayList<>();
        for (JsonElement e : reference.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String prompt = c.get("prompt").getAsString();
            long[] ids = longs(c.getAsJsonArray("ids"));
            boolean idsEqual = Arrays.equals(ids, lm.tokenizer().encode(prompt, true));
            float[][] all = lm.model().logits(ids);
            float[] last = all[all.length - 1];
            double diff = 0;
            long[] top = longs(c.getAsJsonArray("top_ids"));
            JsonArray topLogits = c.getAsJsonArray("top_logits");
            for (int i = 0; i < top.length; i++) {
                diff = Math.max(diff, Math.abs(last[(int) top[i]] - topLogits.get(i).getAsDouble()));
            }
            JsonArray slice = c.getAsJsonArray("slice_logits");
            for (int i = 0; i < slice.size(); i++) {
                diff = Math.max(diff, Math.abs(last[i] - slice.get(i).getAsDouble()));
            }
            double max = Double.NEGATIVE_INFINITY;
            for (float v : last) {
                max = Math.max(max, v);
            }
            diff = Math.max(diff, Math.abs(max - c.get("max_logit").getAsDouble()));
            long[] greedy = longs(c.getAsJsonArray("greedy"));
            GenerationResult r = lm.model().generate(ids, GenerationSettings.greedy(greedy.length)
                    .withStopTokenIds(List.of()));
            out.add(new Case(prompt, idsEqual, diff, Arrays.equals(greedy, r.tokenIds()),
                    lm.tokenizer().decode(r.tokenIds(), false)));
        }
        return out;
    }

    public static JsonObject readReference(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    private static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        CommandLine cl = new CommandLine(args, Set.of());
        Path gguf = Path.of(cl.require("gguf"));
        JsonObject reference = readReference(Path.of(cl.require("reference")));
        Path work = Path.of(cl.get("work", System.getProperty("java.io.tmpdir")));
        long start = System.nanoTime();
        Path checkpoint = GgufImporter.cached(gguf, work);
        System.out.printf("imported %s into %s in %.1f s%n", gguf, checkpoint, (System.nanoTime() - start) / 1e9);
        try (LanguageModel lm = LanguageModel.load(checkpoint, EngineOptions.cpu(cl.getInt("threads", 2)))) {
            for (Case c : check(lm, reference)) {
                System.out.printf("%-60s ids equal %s, last-position logits max-abs diff %.3e, greedy %d equal %s: %s%n",
                        c.prompt().replace("\n", "\\n"), c.idsEqual(), c.maxAbsDiff(), 32, c.greedyEqual(),
                        c.greedyText().replace("\n", "\\n"));
            }
        }
    }
}

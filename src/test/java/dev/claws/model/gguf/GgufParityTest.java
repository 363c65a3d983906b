package dev.claws.model.gguf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.FinishReason;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;
import dev.claws.model.LanguageModel;
import dev.claws.model.io.DType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SmolLM2-135M-Instruct imported from ../shared/models' Q4_1 GGUF against transformers loading the same GGUF
 * (float32; fixture and generator: src/test/python/make_gguf_parity_fixture.py): prompt ids equal, last-position
 * logits (top 16 and the first 64 vocabulary entries) within 1e-4, 32 greedy tokens identical.
 */
class GgufParityTest {

    static final double BOUND = 1e-4;
    static final Path FIXTURE = Path.of("src/test/resources/fixtures/gguf/smollm2-135m-instruct-q4_1-parity.json");
    static final Path IMPORTED = Path.of("target/test-data/gguf/smollm2-135m-instruct");

    static LanguageModel lm;

    @BeforeAll
    static void importModel() {
        assumeTrue(Files.exists(GgufTokenizerTest.GGUF), "../shared not present");
        dev.claws.model.io.FileTrees.deleteQuietly(IMPORTED);
        GgufImporter.importCheckpoint(GgufTokenizerTest.GGUF, IMPORTED, DType.F32);
        lm = LanguageModel.load(IMPORTED, EngineOptions.cpu(2));
    }

    @AfterAll
    static void close() {
        if (lm != null) {
            lm.close();
        }
        dev.claws.model.io.FileTrees.deleteQuietly(IMPORTED);
    }

    static List<JsonElement> cases() throws IOException {
        JsonObject ref = JsonParser.parseString(Files.readString(FIXTURE)).getAsJsonObject();
        return ref.getAsJsonArray("cases").asList();
    }

    @Test
    void logitsAndGreedyTextMatchTransformersGgufLoading() throws IOException {
        DecoderModel model = lm.model();
        for (JsonElement e : cases()) {
            JsonObject c = e.getAsJsonObject();
            String prompt = c.get("prompt").getAsString();
            long[] ids = longs(c.getAsJsonArray("ids"));
            assertArrayEquals(ids, lm.tokenizer().encode(prompt, true), "prompt ids of " + prompt);
            float[][] all = model.logits(ids);
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
            float max = Float.NEGATIVE_INFINITY;
            for (float v : last) {
                max = Math.max(max, v);
            }
            diff = Math.max(diff, Math.abs(max - c.get("max_logit").getAsDouble()));
            System.out.printf("gguf parity %-40s last-position logits max-abs diff vs transformers = %.3e%n",
                    prompt.replace("\n", "\\n").substring(0, Math.min(40, prompt.replace("\n", "\\n").length())),
                    diff);
            assertTrue(diff <= BOUND, prompt + ": logits differ by " + diff);

            long[] greedy = longs(c.getAsJsonArray("greedy"));
            GenerationResult r = model.generate(ids, GenerationSettings.greedy(greedy.length)
                    .withStopTokenIds(List.of()));
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertArrayEquals(greedy, r.tokenIds(), "greedy tokens after " + prompt);
            assertEquals(lm.tokenizer().decode(greedy, false), lm.tokenizer().decode(r.tokenIds(), false));
        }
    }

    @Test
    void answersTheCapitalOfFrance() {
        long[] ids = lm.tokenizer().encode("The capital of France is", true);
        GenerationResult r = lm.model().generate(ids, GenerationSettings.greedy(2));
        assertEquals(" Paris.", lm.tokenizer().decode(r.tokenIds(), true));
    }

    private static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }
}

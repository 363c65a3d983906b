package dev.claws.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parity with lm-evaluation-harness 0.4.13 and transformers on a tiny Qwen2 checkpoint, from fixtures recorded by
 * {@code src/test/python/make_lmeval_fixtures.py}: the same request strings from the same documents, the same token ids
 * from the checkpoint's own tokenizer (through DJL's binding), the same acc/acc_norm decisions and aggregated metrics
 * from the recorded log-likelihoods, and the same windowed cross-entropy from the recorded per-token losses.
 */
class LmEvalParityTest {
    private static Path fixtures;
    private static JsonNode lmeval;
    private static JsonNode crossEntropy;
    private static HuggingFaceTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        System.setProperty("ai.djl.offline", "true");
        fixtures = Path.of(LmEvalParityTest.class.getResource("/fixtures/eval/lmeval_results.json").toURI()).getParent();
        ObjectMapper mapper = new ObjectMapper();
        lmeval = mapper.readTree(fixtures.resolve("lmeval_results.json").toFile());
        crossEntropy = mapper.readTree(fixtures.resolve("cross_entropy.json").toFile());
        tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(fixtures.resolve("tiny-qwen2/tokenizer.json"))
                .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static int[] encode(String text) {
        return Arrays.stream(tokenizer.encode(text, false, false).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    private static List<MultipleChoiceItem> items(String task) throws IOException {
        MultipleChoiceTask t = MultipleChoiceTasks.byName(task).orElseThrow();
        return t.load(fixtures.resolve("tasks").resolve(task + ".jsonl"), 0);
    }

    @Test
    void everyTaskHasRecordedDocuments() {
        assertEquals(MultipleChoiceTasks.names(), iterable(lmeval.get("tasks").fieldNames()));
        assertEquals(128, lmeval.get("meta").get("max_length").intValue());
    }

    @Test
    void requestStringsAndGoldMatchTheHarness() throws IOException {
        for (String task : MultipleChoiceTasks.names()) {
            JsonNode docs = lmeval.get("tasks").get(task).get("docs");
            List<MultipleChoiceItem> items = items(task);
            assertEquals(docs.size(), items.size(), task);
            for (int d = 0; d < docs.size(); d++) {
                JsonNode recorded = docs.get(d).get("requests");
                MultipleChoiceItem item = items.get(d);
                assertEquals(recorded.size(), item.requests().size(), task + " doc " + d);
                for (int c = 0; c < recorded.size(); c++) {
                    LoglikelihoodRequest expected = new LoglikelihoodRequest(
                            recorded.get(c).get("context").textValue(), recorded.get(c).get("continuation").textValue());
                    assertEquals(expected, item.requests().get(c), task + " doc " + d + " choice " + c);
                }
                JsonNode target = docs.get(d).get("target");
                if (target.isIntegralNumber()) {
                    assertEquals(target.intValue(), item.gold(), task + " doc " + d);
                } else { // winogrande records the scored target text
                    assertEquals(" " + target.textValue(), item.requests().get(0).continuation(), task + " doc " + d);
                }
            }
        }
    }

    @Test
    void tokenIdsAndTruncationMatchTheHarness() throws IOException {
        int maxLength = lmeval.get("meta").get("max_length").intValue();
        HarnessRequestBuilder builder = new HarnessRequestBuilder(LmEvalParityTest::encode,
                lmeval.get("meta").get("eot_token_id").intValue(), maxLength);
        int truncated = 0;
        int requests = 0;
        for (String task : MultipleChoiceTasks.names()) {
            JsonNode docs = lmeval.get("tasks").get(task).get("docs");
            List<MultipleChoiceItem> items = items(task);
            for (int d = 0; d < docs.size(); d++) {
                for (int c = 0; c < docs.get(d).get("requests").size(); c++) {
                    JsonNode rec = docs.get(d).get("requests").get(c);
                    TokenizedRequest tokens = builder.tokenize(items.get(d).requests().get(c));
                    String where = task + " doc " + d + " choice " + c;
                    assertArrayEquals(ints(rec.get("context_tokens")), tokens.context(), where);
                    assertArrayEquals(ints(rec.get("continuation_tokens")), tokens.continuation(), where);
                    TokenizedRequest model = builder.build(items.get(d).requests().get(c));
                    assertEquals(Math.min(tokens.length(), maxLength + 1), model.length(), where);
                    assertArrayEquals(tokens.continuation(), model.continuation(), where);
                    if (rec.get("truncated").booleanValue()) {
                        truncated++;
                    }
                    requests++;
                }
            }
        }
        assertEquals(72, requests);
        assertTrue(truncated >= 2, "the fixture exercises truncation");
    }

    @Test
    void accAndAccNormDecisionsAndMetricsMatchTheHarness() throws IOException {
        for (String task : MultipleChoiceTasks.names()) {
            JsonNode recordedTask = lmeval.get("tasks").get(task);
            JsonNode docs = recordedTask.get("docs");
            List<MultipleChoiceItem> items = items(task);
            List<ScoredItem> scored = new ArrayList<>();
            for (int d = 0; d < docs.size(); d++) {
                List<LoglikelihoodResult> scores = new ArrayList<>();
                for (JsonNode rec : docs.get(d).get("requests")) {
                    scores.add(new LoglikelihoodResult(rec.get("loglikelihood").doubleValue(), rec.get("is_greedy").booleanValue()));
                }
                ScoredItem item = ScoredItem.decide(items.get(d), scores);
                assertEquals(docs.get(d).get("acc").doubleValue(), item.acc(), task + " doc " + d + " acc");
                if (docs.get(d).get("acc_norm").isNumber()) {
                    assertEquals(docs.get(d).get("acc_norm").doubleValue(), item.accNorm(), task + " doc " + d + " acc_norm");
                }
                scored.add(item);
            }
            TaskResult result = TaskResult.of(MultipleChoiceTasks.byName(task).orElseThrow(), scored);
            JsonNode metrics = recordedTask.get("metrics");
            for (MetricValue m : result.metrics()) {
                String name = m.metric().harnessName();
                assertEquals(metrics.get(name + ",none").doubleValue(), m.value(), 1e-12, task + " " + name);
                assertEquals(metrics.get(name + "_stderr,none").doubleValue(), m.stderr(), 1e-12, task + " " + name + " stderr");
            }
            assertEquals(metrics.size(), 2 * result.metrics().size(), task + " reports the harness's metrics");
        }
    }

    @Test
    void windowedCrossEntropyMatchesTransformersLoss() {
        List<String> records = new ArrayList<>();
        crossEntropy.get("records").forEach(r -> records.add(r.textValue()));
        int window = crossEntropy.get("window_length").intValue();
        Map<String, double[]> recordedNlls = new HashMap<>();
        for (JsonNode w : crossEntropy.get("windows")) {
            double[] nll = new double[w.get("token_nlls").size()];
            for (int i = 0; i < nll.length; i++) {
                nll[i] = w.get("token_nlls").get(i).doubleValue();
            }
            recordedNlls.put(Arrays.toString(ints(w.get("tokens"))), nll);
        }
        int[] tokens = encode(String.join(CrossEntropyEvaluator.RECORD_SEPARATOR, records));
        assertEquals(crossEntropy.get("corpus_tokens").intValue(), tokens.length);

        CrossEntropyResult result = new CrossEntropyEvaluator(new RecordedNlls(recordedNlls, window), window, 0)
                .evaluate(records, EvalProgress.NONE);
        assertEquals(crossEntropy.get("windows").size(), result.windows());
        assertEquals(crossEntropy.get("mean_nll").doubleValue(), result.meanNll(), 1e-6);
        assertEquals(crossEntropy.get("perplexity").doubleValue(), result.perplexity(), 1e-4);
        for (int w = 0; w < result.windows(); w++) {
            assertEquals(crossEntropy.get("windows").get(w).get("loss").doubleValue(), result.windowMeanNlls()[w], 1e-6);
        }
    }

    /** Replays transformers' per-token losses for the windows it scored; any other window fails the test. */
    private record RecordedNlls(Map<String, double[]> nlls, int window) implements LanguageModelScorer {
        @Override
        public int[] encode(String text) {
            return LmEvalParityTest.encode(text);
        }

        @Override
        public LoglikelihoodResult score(int[] context, int[] continuation) {
            throw new UnsupportedOperationException("no continuation scores were recorded");
        }

        @Override
        public double[] tokenNlls(int[] tokens) {
            double[] recorded = nlls.get(Arrays.toString(tokens));
            if (recorded == null) {
                throw new AssertionError("window not scored by the reference: " + Arrays.toString(tokens));
            }
            return recorded.clone();
        }

        @Override
        public int eotTokenId() {
            return 0;
        }

        @Override
        public int maxLength() {
            return window;
        }
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}

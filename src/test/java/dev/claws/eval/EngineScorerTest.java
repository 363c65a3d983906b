package dev.claws.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claws.model.EngineOptions;
import dev.claws.model.LanguageModel;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end: the inference engine, adapted by {@link EngineScorer}, scores the fixture checkpoint as
 * lm-evaluation-harness 0.4.13 and transformers did when {@code src/test/python/make_lmeval_fixtures.py} recorded them:
 * the same log-likelihood for every request, the same greedy flags, the same acc/acc_norm choices and metrics, and the
 * same windowed cross-entropy.
 */
class EngineScorerTest {
    private static final double TOLERANCE = 1e-4;

    private static Path fixtures;
    private static JsonNode lmeval;
    private static JsonNode crossEntropy;
    private static LanguageModel model;
    private static EngineScorer scorer;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        fixtures = Path.of(EngineScorerTest.class.getResource("/fixtures/eval/lmeval_results.json").toURI()).getParent();
        ObjectMapper mapper = new ObjectMapper();
        lmeval = mapper.readTree(fixtures.resolve("lmeval_results.json").toFile());
        crossEntropy = mapper.readTree(fixtures.resolve("cross_entropy.json").toFile());
        model = LanguageModel.load(fixtures.resolve(lmeval.get("meta").get("model_dir").textValue()), EngineOptions.cpu());
        scorer = new EngineScorer(model);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void harnessSettingsComeFromTheCheckpoint() {
        assertEquals(lmeval.get("meta").get("eot_token_id").intValue(), scorer.eotTokenId());
        assertEquals(lmeval.get("meta").get("max_length").intValue(), scorer.maxLength());
    }

    @Test
    void everyRequestScoresAsTheHarnessDid() throws IOException {
        double worst = 0;
        int requests = 0;
        for (String task : MultipleChoiceTasks.names()) {
            List<MultipleChoiceItem> items = items(task);
            JsonNode docs = lmeval.get("tasks").get(task).get("docs");
            MultipleChoiceScorer mc = new MultipleChoiceScorer(scorer);
            for (int d = 0; d < docs.size(); d++) {
                List<TokenizedRequest> built = mc.tokenize(items.get(d));
                List<LoglikelihoodResult> batched = scorer.scoreAll(built);
                for (int c = 0; c < built.size(); c++) {
                    JsonNode rec = docs.get(d).get("requests").get(c);
                    String where = task + " doc " + d + " choice " + c;
                    LoglikelihoodResult single = scorer.score(built.get(c).context(), built.get(c).continuation());
                    double expected = rec.get("loglikelihood").doubleValue();
                    assertEquals(expected, single.logLikelihood(), TOLERANCE, where);
                    assertEquals(single.logLikelihood(), batched.get(c).logLikelihood(), TOLERANCE, where + " batched");
                    assertEquals(rec.get("is_greedy").booleanValue(), single.greedy(), where + " greedy");
                    assertEquals(single.greedy(), batched.get(c).greedy(), where + " batched greedy");
                    worst = Math.max(worst, Math.abs(expected - single.logLikelihood()));
                    requests++;
                }
            }
        }
        assertEquals(72, requests);
        System.out.printf("engine vs lm-eval: %d requests, max |loglikelihood difference| = %.3g%n", requests, worst);
    }

    @Test
    void choicesAndMetricsMatchTheHarness() throws IOException {
        for (String task : MultipleChoiceTasks.names()) {
            MultipleChoiceTask t = MultipleChoiceTasks.byName(task).orElseThrow();
            JsonNode recorded = lmeval.get("tasks").get(task);
            List<EvalProgressCall> calls = new ArrayList<>();
            TaskResult result = new MultipleChoiceScorer(scorer).evaluate(t, items(task),
                    (done, total) -> calls.add(new EvalProgressCall(done, total)));
            for (int d = 0; d < result.items().size(); d++) {
                JsonNode doc = recorded.get("docs").get(d);
                assertEquals(doc.get("acc").doubleValue(), result.items().get(d).acc(), task + " doc " + d + " acc");
                if (doc.get("acc_norm").isNumber()) {
                    assertEquals(doc.get("acc_norm").doubleValue(), result.items().get(d).accNorm(),
                            task + " doc " + d + " acc_norm");
                }
            }
            for (MetricValue m : result.metrics()) {
                String name = m.metric().harnessName();
                assertEquals(recorded.get("metrics").get(name + ",none").doubleValue(), m.value(), 1e-12, task + " " + name);
            }
            assertEquals(new EvalProgressCall(result.samples(), result.samples()), calls.get(calls.size() - 1));
        }
    }

    @Test
    void windowedCrossEntropyMatchesTransformersLoss() {
        List<String> records = new ArrayList<>();
        crossEntropy.get("records").forEach(r -> records.add(r.textValue()));
        int window = crossEntropy.get("window_length").intValue();
        CrossEntropyResult result = new CrossEntropyEvaluator(scorer, window, 0).evaluate(records, EvalProgress.NONE);
        assertEquals(crossEntropy.get("windows").size(), result.windows());
        assertEquals(crossEntropy.get("mean_nll").doubleValue(), result.meanNll(), TOLERANCE);
        for (int w = 0; w < result.windows(); w++) {
            assertEquals(crossEntropy.get("windows").get(w).get("loss").doubleValue(), result.windowMeanNlls()[w],
                    TOLERANCE, "window " + w);
        }
        JsonNode first = crossEntropy.get("windows").get(0);
        int[] tokens = new int[first.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = first.get("tokens").get(i).intValue();
        }
        double[] nlls = scorer.tokenNlls(tokens);
        assertEquals(tokens.length - 1, nlls.length);
        for (int i = 0; i < nlls.length; i++) {
            assertEquals(first.get("token_nlls").get(i).doubleValue(), nlls[i], TOLERANCE, "token " + i);
        }
        assertTrue(result.meanNll() > 0);
    }

    private static List<MultipleChoiceItem> items(String task) throws IOException {
        return MultipleChoiceTasks.byName(task).orElseThrow().load(fixtures.resolve("tasks").resolve(task + ".jsonl"), 0);
    }

    private record EvalProgressCall(long done, long total) {
    }
}

package dev.claws.api;

import static dev.claws.api.OpenAiHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claws.api.v1.ChatMessage;
import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.ScoreRequest;
import dev.claws.api.v1.ScoreResponse;
import dev.claws.model.ChatTemplate;
import dev.claws.model.GenerationSettings;
import dev.claws.model.LanguageModel;
import dev.claws.model.TextGeneration;
import dev.claws.serve.VariantRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible HTTP API over real HTTP against the running server, checked against the gRPC door and the
 * engine: the same tokens for the same request, the same scores, the same errors in OpenAI's shape.
 */
@QuarkusTest
class OpenAiEndToEndTest {

    /** A ChatML-like template written with claws-tiny's own special token. */
    static final String TINY_TEMPLATE = "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + eos_token + '\\n' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}\n";

    @TestHTTPResource("/")
    URL base;

    @Inject
    VariantRegistry registry;

    @ConfigProperty(name = "claws.data-dir")
    Path dataDir;

    private OpenAiHttp http;
    private ManagedChannel channel;
    private InferenceGrpc.InferenceBlockingStub inference;

    @BeforeEach
    void connect() {
        http = new OpenAiHttp(base);
        channel = GrpcTestChannel.open();
        inference = InferenceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    @Test
    void modelsListsTheLoadedVariantsWithTheirCompressionFacts() {
        HttpResponse<String> response = http.get("/v1/models");
        assertEquals(200, response.statusCode());
        JsonNode list = json(response);
        assertEquals("list", list.get("object").textValue());
        JsonNode tiny = null;
        for (JsonNode m : list.get("data")) {
            if (m.get("id").textValue().equals(ServingFixtures.BASE)) {
                tiny = m;
            }
        }
        assertNotNull(tiny, response.body());
        assertEquals("model", tiny.get("object").textValue());
        assertEquals("none", tiny.get("claws").get("method").textValue());
        assertEquals(0.0, tiny.get("claws").get("ratio").doubleValue());
        assertEquals(0, tiny.get("claws").get("rft_tokens").longValue());
        assertTrue(tiny.get("claws").get("base").isNull());
        assertTrue(tiny.get("claws").get("parameter_count").longValue() > 0);

        assertEquals(ServingFixtures.BASE, json(http.get("/v1/models/" + ServingFixtures.BASE)).get("id").textValue());
        HttpResponse<String> missing = http.get("/v1/models/no-such-variant");
        assertEquals(404, missing.statusCode());
        assertEquals("not_found_error", json(missing).get("error").get("type").textValue());
    }

    @Test
    void completionEqualsGenerateWithTimingInTheBodyAndHeaders() {
        GenerateResponse grpc = inference.generate(GenerateRequest.newBuilder().setPrompt(ServingFixtures.PROMPT)
                .setMaxNewTokens(24).build());
        HttpResponse<String> response = http.post("/v1/completions", "{\"model\": \"claws-tiny\", \"prompt\": \""
                + ServingFixtures.PROMPT + "\", \"max_tokens\": 24, \"temperature\": 0}");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals("text_completion", body.get("object").textValue());
        assertEquals(ServingFixtures.BASE, body.get("model").textValue());
        JsonNode choice = body.get("choices").get(0);
        assertEquals(grpc.getText(), choice.get("text").textValue());
        assertEquals(grpc.getTokenIdsCount() == 24 ? "length" : "stop", choice.get("finish_reason").textValue());
        JsonNode usage = body.get("usage");
        assertEquals(grpc.getTiming().getPromptTokens(), usage.get("prompt_tokens").intValue());
        assertEquals(grpc.getTokenIdsCount(), usage.get("completion_tokens").intValue());
        assertEquals(usage.get("prompt_tokens").intValue() + usage.get("completion_tokens").intValue(),
                usage.get("total_tokens").intValue());
        JsonNode timing = body.get("claws").get("timing");
        assertTrue(timing.get("time_to_first_token_ms").doubleValue() > 0);
        assertTrue(timing.get("decode_ms").doubleValue() > 0);
        assertTrue(timing.get("queue_ms").doubleValue() >= 0);
        assertEquals((timing.get("generated_tokens").intValue() - 1) / (timing.get("decode_ms").doubleValue() / 1000),
                timing.get("tokens_per_second").doubleValue(), 1e-6 * timing.get("tokens_per_second").doubleValue());
        for (String field : List.of("queue_ms", "time_to_first_token_ms", "decode_ms", "total_ms",
                "tokens_per_second")) {
            String header = "X-Claws-" + headerName(field);
            assertEquals(timing.get(field).doubleValue(),
                    Double.parseDouble(response.headers().firstValue(header).orElseThrow(() -> new AssertionError(
                            header + " missing: " + response.headers()))), 1e-9, header);
        }
        assertEquals(ServingFixtures.BASE, response.headers().firstValue("X-Claws-Variant").orElseThrow());
        assertEquals(body.get("claws").get("seed").textValue(),
                response.headers().firstValue("X-Claws-Seed").orElseThrow());
    }

    private static String headerName(String field) {
        StringBuilder out = new StringBuilder();
        for (String part : field.replace("_ms", "_Ms").split("_")) {
            out.append(out.length() == 0 ? "" : "-").append(Character.toUpperCase(part.charAt(0)))
                    .append(part.substring(1));
        }
        return out.toString();
    }

    @Test
    void samplingSettingsAndStopsMeanWhatTheyMeanOverGrpc() {
        GenerateResponse grpc = inference.generate(GenerateRequest.newBuilder().setPrompt(ServingFixtures.PROMPT)
                .setMaxNewTokens(16).setTemperature(0.8f).setTopP(0.9f).setTopK(40).setSeed(7).addStop("e").build());
        JsonNode body = json(http.post("/v1/completions", "{\"model\": \"claws-tiny\", \"prompt\": \""
                + ServingFixtures.PROMPT + "\", \"max_tokens\": 16, \"temperature\": 0.8, \"top_p\": 0.9, "
                + "\"top_k\": 40, \"seed\": 7, \"stop\": \"e\"}"));
        assertEquals(grpc.getText(), body.get("choices").get(0).get("text").textValue());
        assertEquals("7", body.get("claws").get("seed").textValue());
        assertEquals(grpc.getTokenIdsCount(), body.get("usage").get("completion_tokens").intValue());
    }

    @Test
    void streamedCompletionAddsUpToTheUnaryOneAndEndsWithDone() {
        String request = "{\"model\": \"claws-tiny\", \"prompt\": \"" + ServingFixtures.PROMPT
                + "\", \"max_tokens\": 24, \"temperature\": 0%s}";
        JsonNode unary = json(http.post("/v1/completions", request.formatted("")));
        HttpResponse<String> response = http.post("/v1/completions", request.formatted(", \"stream\": true"));
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<String> events = OpenAiHttp.events(response);
        assertEquals(OpenAiResource.DONE, events.get(events.size() - 1));
        assertTrue(events.size() > 3, "text arrives in pieces, got " + events.size());
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String event : events.subList(0, events.size() - 1)) {
            last = OpenAiHttp.parse(event);
            assertEquals("text_completion", last.get("object").textValue());
            text.append(last.get("choices").get(0).get("text").textValue());
        }
        assertEquals(unary.get("choices").get(0).get("text").textValue(), text.toString());
        assertEquals(unary.get("choices").get(0).get("finish_reason"), last.get("choices").get(0).get("finish_reason"));
        assertEquals(unary.get("usage"), last.get("usage"));
        assertTrue(last.get("claws").get("timing").get("decode_ms").doubleValue() > 0);
    }

    @Test
    void echoWithLogprobsScoresLikeScore() {
        String context = "The history of the city";
        List<String> continuations = List.of(" begins", " is long and", " of");
        ScoreResponse scored = inference.score(ScoreRequest.newBuilder().setContext(context)
                .addAllContinuations(continuations).build());
        LanguageModel engine = ServingFixtures.engine();
        int contextTokens = engine.tokenizer().encode(context, true).length;
        for (int i = 0; i < continuations.size(); i++) {
            long[] ids = engine.tokenizer().encode(context + continuations.get(i), true);
            StringBuilder prompt = new StringBuilder();
            for (long id : ids) {
                prompt.append(prompt.length() == 0 ? "" : ", ").append(id);
            }
            // as lm-evaluation-harness's local-completions model asks: token ids, max_tokens 1, echo, logprobs 1
            HttpResponse<String> response = http.post("/v1/completions", "{\"model\": \"claws-tiny\", \"prompt\": [["
                    + prompt + "]], \"max_tokens\": 1, \"temperature\": 0, \"logprobs\": 1, \"echo\": true, "
                    + "\"seed\": 1234}");
            assertEquals(200, response.statusCode(), response.body());
            JsonNode logprobs = json(response).get("choices").get(0).get("logprobs");
            JsonNode tokenLogprobs = logprobs.get("token_logprobs");
            assertEquals(ids.length + 1, tokenLogprobs.size());
            assertTrue(tokenLogprobs.get(0).isNull());
            double sum = 0;
            boolean greedy = true;
            for (int t = contextTokens; t < ids.length; t++) {
                sum += tokenLogprobs.get(t).doubleValue();
                double best = logprobs.get("top_logprobs").get(t).elements().next().doubleValue();
                greedy &= tokenLogprobs.get(t).doubleValue() == best;
            }
            assertEquals(scored.getScores(i).getLogLikelihood(), sum, 1e-4, continuations.get(i));
            assertEquals(scored.getScores(i).getIsGreedy(), greedy, continuations.get(i));

            GenerateResponse next = inference.generate(GenerateRequest.newBuilder()
                    .setPrompt(context + continuations.get(i)).setMaxNewTokens(1).build());
            assertEquals(engine.tokenizer().decode(new long[] {next.getTokenIds(0)}),
                    logprobs.get("tokens").get(ids.length).textValue(), "the one generated token is the greedy one");
        }

        // text prompts, several at once, max_tokens 0: only the prompts come back
        JsonNode batch = json(http.post("/v1/completions", "{\"model\": \"claws-tiny\", \"prompt\": [\"" + context
                + continuations.get(0) + "\", \"" + context + continuations.get(1) + "\"], \"max_tokens\": 0, "
                + "\"echo\": true, \"logprobs\": 0}"));
        assertEquals(2, batch.get("choices").size());
        assertEquals(context + continuations.get(1), batch.get("choices").get(1).get("text").textValue());
        assertEquals(0, batch.get("usage").get("completion_tokens").intValue());
    }

    @Test
    void chatRendersTheTemplateAndStopsAtTheEndOfTurn() throws IOException {
        String name = ServingFixtures.unique("tiny-chat");
        Path dir = copyOfTiny(name);
        Files.writeString(dir.resolve(ChatTemplate.JINJA_FILE), TINY_TEMPLATE);
        registry.registerAndLoad(name, dir);
        try {
            List<ChatTemplate.Message> messages = List.of(new ChatTemplate.Message("system", "Be brief."),
                    new ChatTemplate.Message("user", "Tell me about the city"));
            String rendered = ChatTemplate.load(dir).orElseThrow().render(messages, true);
            LanguageModel engine = ServingFixtures.engine();
            List<Integer> stops = engine.model().config().eosTokenIds();
            TextGeneration expected = engine.generate(rendered, GenerationSettings.greedy(20).withStopTokenIds(stops),
                    List.of(), null, null);

            String request = "{\"model\": \"" + name + "\", \"messages\": [{\"role\": \"system\", \"content\": "
                    + "\"Be brief.\"}, {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": "
                    + "\"Tell me about \"}, {\"type\": \"text\", \"text\": \"the city\"}]}], \"max_tokens\": 20, "
                    + "\"temperature\": 0%s}";
            HttpResponse<String> response = http.post("/v1/chat/completions", request.formatted(""));
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = json(response);
            assertEquals("chat.completion", body.get("object").textValue());
            JsonNode message = body.get("choices").get(0).get("message");
            assertEquals("assistant", message.get("role").textValue());
            assertEquals(expected.text(), message.get("content").textValue());
            assertEquals(expected.promptIds().length, body.get("usage").get("prompt_tokens").intValue());
            assertEquals(expected.tokenIds().length, body.get("usage").get("completion_tokens").intValue());

            GenerateResponse grpc = inference.generate(GenerateRequest.newBuilder().setVariant(name)
                    .addMessages(ChatMessage.newBuilder().setRole("system").setContent("Be brief."))
                    .addMessages(ChatMessage.newBuilder().setRole("user").setContent("Tell me about the city"))
                    .setMaxNewTokens(20).build());
            assertEquals(expected.text(), grpc.getText());
            assertEquals(expected.promptIds().length, grpc.getTiming().getPromptTokens());

            List<String> events = OpenAiHttp.events(http.post("/v1/chat/completions",
                    request.formatted(", \"stream\": true")));
            assertEquals(OpenAiResource.DONE, events.get(events.size() - 1));
            StringBuilder text = new StringBuilder();
            List<JsonNode> chunks = new ArrayList<>();
            for (String event : events.subList(0, events.size() - 1)) {
                JsonNode chunk = OpenAiHttp.parse(event);
                chunks.add(chunk);
                assertEquals("chat.completion.chunk", chunk.get("object").textValue());
                JsonNode delta = chunk.get("choices").get(0).get("delta");
                if (delta.has("content")) {
                    text.append(delta.get("content").textValue());
                }
            }
            assertEquals("assistant", chunks.get(0).get("choices").get(0).get("delta").get("role").textValue());
            assertEquals(expected.text(), text.toString());
            assertEquals(body.get("choices").get(0).get("finish_reason"),
                    chunks.get(chunks.size() - 1).get("choices").get(0).get("finish_reason"));
        } finally {
            registry.unload(name);
            assertEquals(200, http.delete("/v1/models/" + name).statusCode(), "open without an admin token");
        }
    }

    @Test
    void theEndOfTurnTokenOfTokenizerConfigEndsTheReply() throws IOException {
        String template = "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}";
        List<ChatTemplate.Message> messages = List.of(new ChatTemplate.Message("user", "Tell me about the city"));
        String rendered = ChatTemplate.of(template, java.util.Map.of()).render(messages, true);
        LanguageModel engine = ServingFixtures.engine();
        List<Integer> eos = engine.model().config().eosTokenIds();
        long[] free = engine.generate(rendered, GenerationSettings.greedy(20), List.of(), null, null).tokenIds();
        // an end-of-turn token the model emits before max_tokens: a plain token that is one token on its own
        int at = -1;
        for (int i = 0; i < free.length - 1 && at < 0; i++) {
            String text = engine.tokenizer().decode(new long[] {free[i]});
            long[] again = engine.tokenizer().encode(text, false);
            long candidate = free[i];
            boolean earlier = java.util.Arrays.stream(free, 0, i).anyMatch(id -> id == candidate);
            if (again.length == 1 && again[0] == free[i] && !earlier && !eos.contains((int) free[i])) {
                at = i;
            }
        }
        assertTrue(at >= 0, "no usable token in " + java.util.Arrays.toString(free));
        String endOfTurn = engine.tokenizer().decode(new long[] {free[at]});

        String name = ServingFixtures.unique("tiny-turn");
        Path dir = copyOfTiny(name);
        Files.writeString(dir.resolve(ChatTemplate.JINJA_FILE), template);
        Files.writeString(dir.resolve(ChatTemplate.TOKENIZER_CONFIG), OpenAiHttp.JSON.createObjectNode()
                .put("eos_token", endOfTurn).toString());
        registry.registerAndLoad(name, dir);
        try {
            JsonNode body = json(http.post("/v1/chat/completions", "{\"model\": \"" + name + "\", \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"Tell me about the city\"}], \"max_tokens\": 20, "
                    + "\"temperature\": 0}"));
            assertEquals(at + 1, body.get("usage").get("completion_tokens").intValue(), body.toString());
            assertEquals("stop", body.get("choices").get(0).get("finish_reason").textValue());
            assertEquals("end_of_sequence", body.get("claws").get("finish_reason").textValue());
            List<Integer> stops = new ArrayList<>(eos);
            stops.add((int) free[at]);
            assertEquals(engine.generate(rendered, GenerationSettings.greedy(20).withStopTokenIds(stops), List.of(),
                    null, null).text(), body.get("choices").get(0).get("message").get("content").textValue());
        } finally {
            registry.unload(name);
        }
    }

    private Path copyOfTiny(String name) throws IOException {
        Path dir = dataDir.resolve("chat-models").resolve(name);
        Files.createDirectories(dir);
        try (var files = Files.list(ServingFixtures.TINY)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    @Test
    void chatOnAModelWithoutATemplateIsAClearFailedPrecondition() {
        HttpResponse<String> response = http.post("/v1/chat/completions", "{\"model\": \"claws-tiny\", \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertEquals(400, response.statusCode());
        JsonNode error = json(response).get("error");
        assertEquals("failed_precondition", error.get("code").textValue());
        assertTrue(error.get("message").textValue().contains("has no chat template"), error.toString());

        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> inference.generate(GenerateRequest.newBuilder().addMessages(ChatMessage.newBuilder()
                        .setRole("user").setContent("hi")).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    }

    @Test
    void badFieldsAre400NamingTheFieldAndUnknownModels404() {
        String[][] cases = {
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"n\": 2}", "400", "n"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"temperature\": 9}", "400", "temperature"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"top_p\": 1.5}", "400", "top_p"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"max_tokens\": 5000}", "400", "max_tokens"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"max_tokens\": 0}", "400", "max_tokens"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", "400",
                "stop"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"logprobs\": 1}", "400", "logprobs"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"echo\": true, \"max_tokens\": 5}", "400", "echo"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"presence_penalty\": 0.5}", "400", "presence_penalty"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"frobnicate\": 1}", "400", "frobnicate"},
            {"{\"model\": \"claws-tiny\", \"prompt\": \"\"}", "400", "prompt"},
            {"{\"model\": \"claws-tiny\", \"prompt\": [\"a\", \"b\"]}", "400", "prompt"},
            {"{\"prompt\": \"x\"}", "400", "model"},
            {"{\"model\": \"../etc\", \"prompt\": \"x\"}", "400", "model"},
            {"{\"model\": \"claws-tiny\", \"prompt\": [[1, 999999]], \"echo\": true, \"max_tokens\": 0}", "400",
                "prompt"},
            {"not json", "400", "body"},
            {"{\"model\": \"no-such-variant\", \"prompt\": \"x\"}", "404", null},
        };
        for (String[] c : cases) {
            HttpResponse<String> response = http.post("/v1/completions", c[0]);
            assertEquals(Integer.parseInt(c[1]), response.statusCode(), c[0] + " -> " + response.body());
            JsonNode error = json(response).get("error");
            assertNotNull(error, response.body());
            assertFalse(error.get("message").textValue().isEmpty());
            if (c[2] != null) {
                assertEquals(c[2], error.get("param").textValue(), c[0]);
                assertTrue(error.get("message").textValue().contains(c[2]), error.toString());
                assertEquals("invalid_request_error", error.get("type").textValue());
            }
        }
        String[][] chatCases = {
            {"{\"model\": \"claws-tiny\", \"messages\": []}", "messages"},
            {"{\"model\": \"claws-tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"x\", \"tool_calls\": []}]}",
                "messages[0].tool_calls"},
            {"{\"model\": \"claws-tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": []}",
                "tools"},
            {"{\"model\": \"claws-tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"n\": 3}", "n"},
        };
        for (String[] c : chatCases) {
            HttpResponse<String> response = http.post("/v1/chat/completions", c[0]);
            assertEquals(400, response.statusCode(), c[0] + " -> " + response.body());
            assertEquals(c[1], json(response).get("error").get("param").textValue(), c[0]);
        }
    }
}

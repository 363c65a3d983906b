package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.claws.api.v1.DeleteVariantRequest;
import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.LoadVariantRequest;
import dev.claws.api.v1.ScoreRequest;
import dev.claws.api.v1.ScoreResponse;
import dev.claws.api.v1.UnloadVariantRequest;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.eval.EngineScorer;
import dev.claws.eval.PythonText;
import dev.claws.model.BrokenCheckpoints;
import dev.claws.model.LanguageModel;
import dev.claws.model.io.FileTrees;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inputs that used to break Generate and Score, each as the kind it stands for: temperatures too small to divide by,
 * whitespace-only score contexts, special-token text, a model producing NaN, and random requests of every shape, which
 * must all end in a result or INVALID_ARGUMENT, never INTERNAL.
 */
@QuarkusTest
class InferenceEdgeInputsTest {

    /** Every code point Python's str.isspace accepts. */
    static final String PYTHON_WHITESPACE = "\t\n\u000B\f\r\u001C\u001D\u001E\u001F \u0085\u00A0\u1680"
            + "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";

    @ConfigProperty(name = "claws.data-dir")
    Path dataDir;

    private ManagedChannel channel;
    private InferenceGrpc.InferenceBlockingStub inference;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
        inference = InferenceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    @Test
    void temperaturesDownToTheSmallestFloatAreGreedy() {
        GenerateRequest base = GenerateRequest.newBuilder().setPrompt("The capital of France is").setMaxNewTokens(6)
                .build();
        GenerateResponse greedy = inference.generate(base);
        for (float t : new float[] {Float.MIN_VALUE, 1e-40f, 1e-38f, 1e-30f}) {
            for (int topK : new int[] {0, 5}) {
                for (float topP : new float[] {0f, 0.9f}) {
                    GenerateResponse r = inference.generate(base.toBuilder().setTemperature(t).setTopK(topK)
                            .setTopP(topP).setSeed(1).build());
                    String label = "T=" + t + " top_k=" + topK + " top_p=" + topP;
                    assertEquals(greedy.getTokenIdsList(), r.getTokenIdsList(), label);
                    assertEquals(greedy.getText(), r.getText(), label);
                }
            }
        }
    }

    @Test
    void aWhitespaceOnlyContextScoresAsTheEmptyContextWithTheWhitespaceOnTheContinuations() {
        List<String> contexts = new ArrayList<>(List.of(" ", "\n\n\n\n\n", "\t", "   "));
        PYTHON_WHITESPACE.codePoints().forEach(cp -> contexts.add(Character.toString(cp)));
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 10; i++) {
            StringBuilder ws = new StringBuilder();
            for (int n = 1 + random.nextInt(5); n > 0; n--) {
                ws.append(PYTHON_WHITESPACE.charAt(random.nextInt(PYTHON_WHITESPACE.length())));
            }
            contexts.add(ws.toString());
        }
        for (String ws : contexts) {
            assertTrue(PythonText.rstrip(ws).isEmpty());
            ScoreResponse asSent = inference.score(ScoreRequest.newBuilder().setContext(ws)
                    .addContinuations("Hello").addContinuations(" world").build());
            ScoreResponse moved = inference.score(ScoreRequest.newBuilder().setContext("")
                    .addContinuations(ws + "Hello").addContinuations(ws + " world").build());
            assertEquals(moved.getScoresList(), asSent.getScoresList(), "context " + ws.codePoints().boxed().toList());
        }
    }

    @Test
    void specialTokenTextIsAControlTokenByDefaultAndPlainTextWhenAsked() {
        LanguageModel engine = ServingFixtures.engine();
        String prompt = "Say the word <|endoftext|> twice";
        long[] parsed = engine.tokenizer().encode(prompt, true);
        long[] plain = engine.tokenizer().encode(prompt, true, false);
        assertTrue(Arrays.stream(parsed).anyMatch(id -> id == 0) && Arrays.stream(plain).noneMatch(id -> id == 0));
        GenerateRequest request = GenerateRequest.newBuilder().setPrompt(prompt).setMaxNewTokens(2).build();
        assertEquals(parsed.length, inference.generate(request).getTiming().getPromptTokens());
        assertEquals(parsed.length, inference.generate(request.toBuilder().setParseSpecialTokens(true).build())
                .getTiming().getPromptTokens());
        assertEquals(plain.length, inference.generate(request.toBuilder().setParseSpecialTokens(false).build())
                .getTiming().getPromptTokens());

        // Score: the plain-text request equals scoring the plain-text tokens directly
        String context = "Say the word <|endoftext|>";
        EngineScorer direct = new EngineScorer(engine);
        int[] contextIds = Arrays.stream(engine.tokenizer().encode(context, false, false)).mapToInt(x -> (int) x)
                .toArray();
        long[] whole = engine.tokenizer().encode(context + " twice", false, false);
        int[] continuationIds = Arrays.stream(Arrays.copyOfRange(whole, contextIds.length, whole.length))
                .mapToInt(x -> (int) x).toArray();
        ScoreResponse plainScore = inference.score(ScoreRequest.newBuilder().setContext(context)
                .addContinuations(" twice").setParseSpecialTokens(false).build());
        assertEquals(direct.score(contextIds, continuationIds).logLikelihood(),
                plainScore.getScores(0).getLogLikelihood(), 1e-9);
        ScoreResponse parsedScore = inference.score(ScoreRequest.newBuilder().setContext(context)
                .addContinuations(" twice").build());
        assertTrue(parsedScore.getTiming().getPromptTokens() < plainScore.getTiming().getPromptTokens());
    }

    @Test
    void aModelProducingNaNAnswersInternalNamingTheStep() throws Exception {
        String name = ServingFixtures.unique("nan-logits");
        Path dir = BrokenCheckpoints.nanLogits(ServingFixtures.TINY, dataDir.resolve("broken").resolve(name));
        VariantsGrpc.VariantsBlockingStub variants = VariantsGrpc.newBlockingStub(channel);
        variants.loadVariant(LoadVariantRequest.newBuilder().setName(name).setPath(dir.toString()).build());
        try {
            for (float t : new float[] {0f, 0.8f, 1e-38f}) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> inference.generate(
                        GenerateRequest.newBuilder().setVariant(name).setPrompt("Hello").setMaxNewTokens(3)
                                .setTemperature(t).build()));
                assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
                assertTrue(e.getStatus().getDescription().contains("non-finite logits at the prefill"),
                        e.getStatus().getDescription());
            }
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> inference.score(
                    ScoreRequest.newBuilder().setVariant(name).setContext("Hello").addContinuations(" world").build()));
            assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("non-finite log-probability")
                    && e.getStatus().getDescription().contains("scoring continuation token 1"),
                    e.getStatus().getDescription());
        } finally {
            variants.unloadVariant(UnloadVariantRequest.newBuilder().setName(name).build());
            variants.deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build());
            FileTrees.deleteQuietly(dir);
        }
    }

    /** Random requests made of the pieces that broke things: every one ends in a result or INVALID_ARGUMENT. */
    @Test
    void noRequestEndsInInternal() {
        List<String> pieces = List.of("", " ", "\n\n", "\t", "\u00A0", "\u3000", "Hello", " world", "<|endoftext|>",
                "<|im_start|>", "🦜", "𠮷", "ù", "é", "我很好", "\uFFFD", "\u0000", "x".repeat(300), ".", "\r\n");
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 60; i++) {
            String label = "request " + i;
            try {
                if (random.nextBoolean()) {
                    ScoreRequest.Builder r = ScoreRequest.newBuilder().setContext(text(pieces, random));
                    for (int c = random.nextInt(1, 4); c > 0; c--) {
                        r.addContinuations(text(pieces, random));
                    }
                    if (random.nextBoolean()) {
                        r.setParseSpecialTokens(random.nextBoolean());
                    }
                    label += " " + r;
                    ScoreResponse s = inference.score(r.build());
                    s.getScoresList().forEach(x -> assertTrue(Double.isFinite(x.getLogLikelihood())
                            && x.getLogLikelihood() <= 0));
                } else {
                    GenerateRequest.Builder r = GenerateRequest.newBuilder().setPrompt(text(pieces, random))
                            .setMaxNewTokens(random.nextInt(1, 5))
                            .setTemperature(random.nextInt(4) == 0 ? Float.MIN_VALUE : (float) random.nextDouble(0, 5))
                            .setTopK(random.nextInt(3) == 0 ? random.nextInt(0, 3000) : 0)
                            .setTopP(random.nextBoolean() ? 0 : (float) random.nextDouble(0, 1)).setSeed(i);
                    for (int s = random.nextInt(0, 3); s > 0; s--) {
                        String stop = text(pieces, random);
                        r.addStop(stop.length() > 64 ? stop.substring(0, 64) : stop);
                    }
                    if (random.nextBoolean()) {
                        r.setParseSpecialTokens(random.nextBoolean());
                    }
                    label += " " + r;
                    GenerateResponse g = inference.generate(r.build());
                    assertFalse(g.getText().isEmpty() && g.getTokenIdsCount() == 0, label);
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
                    fail(label + " answered " + e.getStatus());
                }
            }
        }
    }

    private static String text(List<String> pieces, SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(0, 4); n > 0; n--) {
            s.append(pieces.get(random.nextInt(pieces.size())));
        }
        return s.toString();
    }
}

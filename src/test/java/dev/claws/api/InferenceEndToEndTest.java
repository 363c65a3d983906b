package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CompressionMethod;
import dev.claws.api.v1.DeleteVariantRequest;
import dev.claws.api.v1.DeleteVariantResponse;
import dev.claws.api.v1.FinishReason;
import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.GenerateStreamResponse;
import dev.claws.api.v1.GetVariantRequest;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.ListVariantsRequest;
import dev.claws.api.v1.LoadVariantRequest;
import dev.claws.api.v1.ScoreRequest;
import dev.claws.api.v1.ScoreResponse;
import dev.claws.api.v1.UnloadVariantRequest;
import dev.claws.api.v1.Variant;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.eval.LoglikelihoodResult;
import dev.claws.eval.EngineScorer;
import dev.claws.eval.HarnessRequestBuilder;
import dev.claws.eval.LoglikelihoodRequest;
import dev.claws.eval.TokenizedRequest;
import dev.claws.model.EngineOptions;
import dev.claws.model.GenerationSettings;
import dev.claws.model.LanguageModel;
import dev.claws.model.ModelConfig;
import dev.claws.model.TextGeneration;
import dev.claws.model.WorkingSet;
import dev.claws.store.VariantRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every Inference and Variants RPC over a real gRPC channel, checked against the inference engine called directly:
 * the same greedy tokens and text, the same scores.
 */
@QuarkusTest
class InferenceEndToEndTest {

    @Inject
    VariantRepository variants;

    @ConfigProperty(name = "claws.data-dir")
    Path dataDir;

    private ManagedChannel channel;
    private InferenceGrpc.InferenceBlockingStub inference;
    private VariantsGrpc.VariantsBlockingStub registry;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
        inference = InferenceGrpc.newBlockingStub(channel);
        registry = VariantsGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    @Test
    void generateStreamAndScoreMatchTheEngineOnTheDefaultModel() {
        LanguageModel engine = ServingFixtures.engine();
        TextGeneration expected = engine.generate(ServingFixtures.PROMPT, GenerationSettings.greedy(24), List.of(),
                null, null);

        GenerateResponse unary = inference.generate(GenerateRequest.newBuilder()
                .setPrompt(ServingFixtures.PROMPT).setMaxNewTokens(24).setSeed(5).build());
        assertEquals(ServingFixtures.BASE, unary.getVariant());
        assertEquals(expected.text(), unary.getText());
        assertArrayEquals(expected.tokenIds(), unary.getTokenIdsList().stream().mapToLong(Integer::longValue).toArray());
        assertEquals(5, unary.getSeed());
        assertEquals(expected.tokenIds().length == 24 ? FinishReason.FINISH_REASON_LENGTH
                : FinishReason.FINISH_REASON_END_OF_SEQUENCE, unary.getFinishReason());
        assertEquals(expected.promptIds().length, unary.getTiming().getPromptTokens());
        assertEquals(expected.tokenIds().length, unary.getTiming().getGeneratedTokens());
        assertTrue(unary.getTiming().getPrefillMs() > 0);
        assertTrue(unary.getTiming().getDecodeMs() > 0);
        assertTrue(unary.getTiming().getQueueMs() >= 0);
        assertTrue(unary.getTiming().getTotalMs() >= unary.getTiming().getQueueMs()
                + unary.getTiming().getPrefillMs() + unary.getTiming().getDecodeMs() - 1e-6);
        assertEquals((unary.getTiming().getGeneratedTokens() - 1) / (unary.getTiming().getDecodeMs() / 1000),
                unary.getTiming().getTokensPerSecond(), 1e-6 * unary.getTiming().getTokensPerSecond());

        Iterator<GenerateStreamResponse> stream = inference.generateStream(GenerateRequest.newBuilder()
                .setVariant(ServingFixtures.BASE).setPrompt(ServingFixtures.PROMPT).setMaxNewTokens(24).build());
        StringBuilder text = new StringBuilder();
        List<Long> ids = new ArrayList<>();
        List<GenerateStreamResponse> messages = new ArrayList<>();
        stream.forEachRemaining(messages::add);
        for (GenerateStreamResponse m : messages) {
            assertEquals(ServingFixtures.BASE, m.getVariant());
            text.append(m.getTextDelta());
            m.getTokenIdsList().forEach(id -> ids.add(id.longValue()));
        }
        GenerateStreamResponse last = messages.get(messages.size() - 1);
        assertTrue(last.getDone());
        assertTrue(messages.subList(0, messages.size() - 1).stream().noneMatch(GenerateStreamResponse::getDone));
        assertTrue(messages.size() > 2, "text arrives in pieces while it is decoded, got " + messages.size());
        assertEquals(expected.text(), text.toString());
        assertArrayEquals(expected.tokenIds(), ids.stream().mapToLong(Long::longValue).toArray());
        assertEquals(unary.getFinishReason(), last.getFinishReason());
        assertEquals(expected.tokenIds().length, last.getTiming().getGeneratedTokens());

        String context = "The capital of France is";
        List<String> continuations = List.of(" Paris", " London and the river", "!");
        ScoreResponse scored = inference.score(ScoreRequest.newBuilder().setContext(context)
                .addAllContinuations(continuations).build());
        EngineScorer scorer = new EngineScorer(engine);
        HarnessRequestBuilder builder = new HarnessRequestBuilder(scorer);
        List<TokenizedRequest> requests = continuations.stream()
                .map(c -> builder.tokenize(new LoglikelihoodRequest(context, c))).toList();
        List<LoglikelihoodResult> direct = scorer.scoreAll(requests);
        assertEquals(ServingFixtures.BASE, scored.getVariant());
        assertEquals(3, scored.getScoresCount());
        int promptTokens = requests.get(0).context().length;
        for (int i = 0; i < 3; i++) {
            assertEquals(direct.get(i).logLikelihood(), scored.getScores(i).getLogLikelihood(), 1e-9);
            assertEquals(direct.get(i).greedy(), scored.getScores(i).getIsGreedy());
            assertEquals(requests.get(i).continuation().length, scored.getScores(i).getTokenCount());
            assertTrue(scored.getScores(i).getLogLikelihood() < 0);
            promptTokens += requests.get(i).continuation().length;
        }
        assertEquals(promptTokens, scored.getTiming().getPromptTokens());
        assertEquals(0, scored.getTiming().getGeneratedTokens());
        assertTrue(scored.getTiming().getPrefillMs() > 0);
    }

    @Test
    void variantsLoadServeUnloadAndDelete() throws Exception {
        String name = ServingFixtures.unique("tiny-ffn50");
        Path dir = ServingFixtures.registerPrunedVariant(variants, dataDir, name, 0.5);

        Variant registered = registry.getVariant(GetVariantRequest.newBuilder().setName(name).build());
        assertFalse(registered.getLoaded());
        assertEquals(0, registered.getMemoryBytes());
        assertEquals(CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE, registered.getMethod());
        StatusRuntimeException notLoaded = assertThrows(StatusRuntimeException.class, () -> inference.generate(
                GenerateRequest.newBuilder().setVariant(name).setPrompt("hello").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, notLoaded.getStatus().getCode());

        Variant loaded = registry.loadVariant(LoadVariantRequest.newBuilder().setName(name).build());
        assertTrue(loaded.getLoaded());
        // float32 weights + the batch's KV ring at its largest + one batched step, at the default 8 rows
        ModelConfig pruned = ModelConfig.load(dir);
        assertEquals(loaded.getParameterCount() * 4 + WorkingSet.batchCacheBytes(pruned, 8)
                + WorkingSet.decodeStepBytes(pruned, 8), loaded.getMemoryBytes());
        assertEquals(loaded, registry.loadVariant(LoadVariantRequest.newBuilder().setName(name).build()),
                "loading a loaded variant changes nothing");
        List<String> resident = registry.listVariants(ListVariantsRequest.newBuilder().setLoadedOnly(true).build())
                .getVariantsList().stream().map(Variant::getName).toList();
        assertTrue(resident.containsAll(List.of(ServingFixtures.BASE, name)), "resident: " + resident);
        Variant base = registry.getVariant(GetVariantRequest.newBuilder().setName(ServingFixtures.BASE).build());
        assertTrue(base.getLoaded());
        assertEquals(CompressionMethod.COMPRESSION_METHOD_NONE, base.getMethod());

        // the pruned variant answers what the engine answers on the same checkpoint, and differs from the base
        try (LanguageModel direct = LanguageModel.load(dir, EngineOptions.cpu())) {
            TextGeneration expected = direct.generate(ServingFixtures.PROMPT, GenerationSettings.greedy(16), List.of(),
                    null, null);
            GenerateResponse served = inference.generate(GenerateRequest.newBuilder().setVariant(name)
                    .setPrompt(ServingFixtures.PROMPT).setMaxNewTokens(16).build());
            assertEquals(name, served.getVariant());
            assertArrayEquals(expected.tokenIds(),
                    served.getTokenIdsList().stream().mapToLong(Integer::longValue).toArray());
            ScoreResponse scored = inference.score(ScoreRequest.newBuilder().setVariant(name)
                    .setContext("The capital of France is").addContinuations(" Paris").build());
            EngineScorer scorer = new EngineScorer(direct);
            TokenizedRequest request = new HarnessRequestBuilder(scorer)
                    .tokenize(new LoglikelihoodRequest("The capital of France is", " Paris"));
            assertEquals(scorer.scoreAll(List.of(request)).get(0).logLikelihood(),
                    scored.getScores(0).getLogLikelihood(), 1e-9);
        }

        StatusRuntimeException deleteLoaded = assertThrows(StatusRuntimeException.class, () -> registry.deleteVariant(
                DeleteVariantRequest.newBuilder().setName(name).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, deleteLoaded.getStatus().getCode());
        assertTrue(deleteLoaded.getStatus().getDescription().contains("unload it first"));
        assertTrue(Files.isDirectory(dir));

        Variant unloaded = registry.unloadVariant(UnloadVariantRequest.newBuilder().setName(name).build());
        assertFalse(unloaded.getLoaded());
        assertEquals(0, unloaded.getMemoryBytes());
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> inference.generate(
                GenerateRequest.newBuilder().setVariant(name).setPrompt("hello").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, gone.getStatus().getCode());
        DeleteVariantResponse deleted = registry.deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build());
        assertTrue(deleted.getFilesDeleted());
        assertFalse(Files.exists(dir));
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> registry.unloadVariant(
                UnloadVariantRequest.newBuilder().setName(name).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }

    @Test
    void loadWithPathRegistersANewBaseModel() {
        String name = ServingFixtures.unique("copy-of-tiny");
        Variant loaded = registry.loadVariant(LoadVariantRequest.newBuilder().setName(name)
                .setPath(ServingFixtures.TINY.toString()).build());
        assertTrue(loaded.getLoaded());
        assertEquals(CompressionMethod.COMPRESSION_METHOD_NONE, loaded.getMethod());
        assertEquals("", loaded.getBase());
        assertEquals(ServingFixtures.engine().model().config().parameterCount(), loaded.getParameterCount());
        GenerateResponse a = inference.generate(GenerateRequest.newBuilder().setVariant(name)
                .setPrompt(ServingFixtures.PROMPT).setMaxNewTokens(8).build());
        GenerateResponse b = inference.generate(GenerateRequest.newBuilder()
                .setPrompt(ServingFixtures.PROMPT).setMaxNewTokens(8).build());
        assertEquals(b.getTokenIdsList(), a.getTokenIdsList(), "same checkpoint, same greedy tokens");

        StatusRuntimeException otherPath = assertThrows(StatusRuntimeException.class, () -> registry.loadVariant(
                LoadVariantRequest.newBuilder().setName(name).setPath("src/test/resources").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, otherPath.getStatus().getCode());
        StatusRuntimeException notCheckpoint = assertThrows(StatusRuntimeException.class, () -> registry.loadVariant(
                LoadVariantRequest.newBuilder().setName(ServingFixtures.unique("bad")).setPath("src/test/resources")
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, notCheckpoint.getStatus().getCode());
        assertTrue(notCheckpoint.getStatus().getDescription().startsWith("path "),
                notCheckpoint.getStatus().getDescription());

        registry.unloadVariant(UnloadVariantRequest.newBuilder().setName(name).build());
        DeleteVariantResponse deleted = registry.deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build());
        assertFalse(deleted.getFilesDeleted(), "files claws did not write are kept");
        assertTrue(Files.isRegularFile(ServingFixtures.TINY.resolve("config.json")));
    }

    @Test
    void loadWithAGgufPathImportsTheFile() {
        Path gguf = Path.of("../shared/models/SmolLM2-135M-Instruct.Q4_1.gguf");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(gguf), "../shared not present");
        String name = ServingFixtures.unique("smollm2");
        Variant loaded = registry.loadVariant(LoadVariantRequest.newBuilder().setName(name)
                .setPath(gguf.toString()).build());
        assertTrue(loaded.getLoaded());
        assertEquals(134515008L, loaded.getParameterCount());
        assertTrue(loaded.getPath().contains("imported"), loaded.getPath());
        GenerateResponse r = inference.generate(GenerateRequest.newBuilder().setVariant(name)
                .setPrompt("The capital of France is").setMaxNewTokens(2).build());
        assertEquals(" Paris.", r.getText());
        registry.unloadVariant(UnloadVariantRequest.newBuilder().setName(name).build());

        StatusRuntimeException unsupported = assertThrows(StatusRuntimeException.class, () -> registry.loadVariant(
                LoadVariantRequest.newBuilder().setName(ServingFixtures.unique("bad-gguf"))
                        .setPath("src/test/resources/fixtures/gguf/blocks.gguf").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, unsupported.getStatus().getCode());
        assertTrue(unsupported.getStatus().getDescription().contains("architecture 'claws-test'"),
                unsupported.getStatus().getDescription());
    }
}

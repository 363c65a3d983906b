package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.LawsGrpc;
import dev.claws.api.v1.ScoreRequest;
import dev.claws.api.v1.VariantsGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.junit.QuarkusTest;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.claws.api.v1.ChatMessage;

/** Each kind of bad input gets its precise status and message, and the server keeps serving afterwards. */
@QuarkusTest
class InferenceBadInputTest {

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

    private static GenerateRequest.Builder good() {
        return GenerateRequest.newBuilder().setPrompt("Once upon a time").setMaxNewTokens(4);
    }

    private static void refused(Status.Code code, String messageStart, Supplier<?> call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(code, e.getStatus().getCode(), () -> "status of: " + e.getStatus());
        assertTrue(e.getStatus().getDescription() != null && e.getStatus().getDescription().startsWith(messageStart),
                () -> "expected a message starting '" + messageStart + "', got '" + e.getStatus().getDescription() + "'");
    }

    @Test
    void badGenerateFieldsAreRefusedNamingTheFieldAndRange() {
        refused(Status.Code.NOT_FOUND, "variant 'no-such-variant' does not exist",
                () -> inference.generate(good().setVariant("no-such-variant").build()));
        refused(Status.Code.INVALID_ARGUMENT, "variant must be 1 to 128 characters",
                () -> inference.generate(good().setVariant("../x").build()));
        refused(Status.Code.INVALID_ARGUMENT, "prompt must not be empty",
                () -> inference.generate(good().setPrompt("").build()));
        String longPrompt = "history of the city ".repeat(700);
        refused(Status.Code.INVALID_ARGUMENT, "prompt is ",
                () -> inference.generate(good().setPrompt(longPrompt).build()));
        refused(Status.Code.INVALID_ARGUMENT, "max_new_tokens must be at most ",
                () -> inference.generate(good().setPrompt("history of the city ".repeat(200)).setMaxNewTokens(2000)
                        .build()));
        refused(Status.Code.INVALID_ARGUMENT, "max_new_tokens must be between 1 and 4096 (0 = default 128), got 5000",
                () -> inference.generate(good().setMaxNewTokens(5000).build()));
        refused(Status.Code.INVALID_ARGUMENT, "max_new_tokens must be between 1 and 4096 (0 = default 128), got 4294967295",
                () -> inference.generate(good().setMaxNewTokens(-1).build()));
        ChatMessage hi = ChatMessage.newBuilder().setRole("user").setContent("hi")
                .build();
        refused(Status.Code.INVALID_ARGUMENT, "prompt and messages are exclusive",
                () -> inference.generate(good().addMessages(hi).build()));
        refused(Status.Code.INVALID_ARGUMENT, "parse_special_tokens must be true (or unset) with messages",
                () -> inference.generate(good().setPrompt("").addMessages(hi).setParseSpecialTokens(false).build()));
        refused(Status.Code.INVALID_ARGUMENT, "messages[1].role must be 1 to 64 characters long",
                () -> inference.generate(good().setPrompt("").addMessages(hi)
                        .addMessages(hi.toBuilder().setRole("")).build()));
        refused(Status.Code.INVALID_ARGUMENT, "messages must hold at most 256 turns, got 257",
                () -> inference.generate(good().setPrompt("").addAllMessages(java.util.Collections.nCopies(257, hi))
                        .build()));
        StatusRuntimeException named = assertThrows(StatusRuntimeException.class,
                () -> inference.generate(good().setTopP(2).build()));
        assertEquals("top_p", named.getTrailers().get(ErrorStatus.FIELD), "the trailer names the field");
        refused(Status.Code.INVALID_ARGUMENT, "temperature must be between 0.0 and 5.0 (0 = greedy), got 5.5",
                () -> inference.generate(good().setTemperature(5.5f).build()));
        refused(Status.Code.INVALID_ARGUMENT, "temperature must be between 0.0 and 5.0 (0 = greedy), got -0.1",
                () -> inference.generate(good().setTemperature(-0.1f).build()));
        refused(Status.Code.INVALID_ARGUMENT, "temperature must be between 0.0 and 5.0 (0 = greedy), got NaN",
                () -> inference.generate(good().setTemperature(Float.NaN).build()));
        refused(Status.Code.INVALID_ARGUMENT, "top_p must be between 0.0 and 1.0 (0 or 1 = no filter), got 1.5",
                () -> inference.generate(good().setTopP(1.5f).build()));
        refused(Status.Code.INVALID_ARGUMENT, "top_k must be between 0 and 2048 (the vocabulary size of variant",
                () -> inference.generate(good().setTemperature(1).setTopK(2049).build()));
        refused(Status.Code.INVALID_ARGUMENT, "stop must hold at most 4 sequences, got 5",
                () -> inference.generate(good().addStop("a").addStop("b").addStop("c").addStop("d").addStop("e")
                        .build()));
        refused(Status.Code.INVALID_ARGUMENT, "stop[1] must be 1 to 64 characters long, got 0",
                () -> inference.generate(good().addStop("a").addStop("").build()));
        // streaming validates the same way, before anything is sent
        refused(Status.Code.INVALID_ARGUMENT, "prompt must not be empty",
                () -> inference.generateStream(good().setPrompt("").build()).next());
        refused(Status.Code.INVALID_ARGUMENT, "continuations must hold 1 to 64 entries, got 0",
                () -> inference.score(ScoreRequest.newBuilder().setContext("a").build()));
        refused(Status.Code.INVALID_ARGUMENT, "continuations[1] must not be empty",
                () -> inference.score(ScoreRequest.newBuilder().setContext("a").addContinuations(" b")
                        .addContinuations("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "context plus continuations[0] is ",
                () -> inference.score(ScoreRequest.newBuilder().setContext(longPrompt).addContinuations(" b").build()));
        refused(Status.Code.NOT_FOUND, "variant 'nope' does not exist",
                () -> inference.score(ScoreRequest.newBuilder().setVariant("nope").addContinuations(" b").build()));

        GenerateResponse ok = inference.generate(good().build());
        assertTrue(ok.getTiming().getGeneratedTokens() >= 1);
        assertFalse(ok.getVariant().isEmpty());
    }

    @Test
    void invalidUtf8AndMalformedBytesAreInvalidArgumentNamingTheField() {
        // GenerateRequest.prompt (field 2) = C3 28: a two-byte sequence cut short
        refused(Status.Code.INVALID_ARGUMENT, "field prompt is not valid UTF-8",
                () -> raw(InferenceGrpc.getGenerateMethod(), new byte[] {0x12, 0x02, (byte) 0xC3, 0x28}));
        // GenerateRequest.stop (field 8): a valid entry, then an invalid one
        refused(Status.Code.INVALID_ARGUMENT, "field stop[1] is not valid UTF-8",
                () -> raw(InferenceGrpc.getGenerateStreamMethod(), new byte[] {0x12, 0x01, 'a', 0x42, 0x01, 'b',
                    0x42, 0x01, (byte) 0xFF}));
        refused(Status.Code.INVALID_ARGUMENT, "field continuations[0] is not valid UTF-8",
                () -> raw(InferenceGrpc.getScoreMethod(), new byte[] {0x1A, 0x01, (byte) 0x80}));
        refused(Status.Code.INVALID_ARGUMENT, "field name is not valid UTF-8",
                () -> raw(VariantsGrpc.getGetVariantMethod(), new byte[] {0x0A, 0x01, (byte) 0xC0}));
        // the job and law services are guarded alike
        refused(Status.Code.INVALID_ARGUMENT, "field variant is not valid UTF-8",
                () -> raw(JobsGrpc.getSubmitEvaluationMethod(), new byte[] {0x0A, 0x01, (byte) 0xC0}));
        refused(Status.Code.INVALID_ARGUMENT, "field name is not valid UTF-8",
                () -> raw(LawsGrpc.getFitLawMethod(), new byte[] {0x0A, 0x02, (byte) 0xE2, (byte) 0x82}));
        // a length that runs past the end of the message
        refused(Status.Code.INVALID_ARGUMENT, "the request is not a valid claws.v1.GenerateRequest message",
                () -> raw(InferenceGrpc.getGenerateMethod(), new byte[] {0x12, 0x05, 'a'}));

        GenerateResponse ok = inference.generate(good().build());
        assertTrue(ok.getTiming().getGeneratedTokens() >= 1);
    }

    @Test
    void oversizedMessagesAreResourceExhaustedAndTheServerKeepsServing() {
        String huge = "a".repeat(1_100_000);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> inference.generate(good().setPrompt(huge).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("1048576"), e.getStatus().getDescription());

        GenerateResponse ok = inference.generate(good().build());
        assertTrue(ok.getTiming().getGeneratedTokens() >= 1);
    }

    private byte[] raw(MethodDescriptor<?, ?> method, byte[] request) {
        MethodDescriptor<byte[], byte[]> bytes = method.toBuilder(MalformedRequests.BYTES, MalformedRequests.BYTES)
                .setType(MethodDescriptor.MethodType.UNARY).build();
        return ClientCalls.blockingUnaryCall(channel, bytes, CallOptions.DEFAULT, request);
    }
}

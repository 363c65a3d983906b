package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.DeleteVariantRequest;
import dev.claws.api.v1.DeleteVariantResponse;
import dev.claws.api.v1.FitLawRequest;
import dev.claws.api.v1.GetVariantRequest;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.LawsGrpc;
import dev.claws.api.v1.ListVariantsRequest;
import dev.claws.api.v1.SubmitCompressionRequest;
import dev.claws.api.v1.SubmitEvaluationRequest;
import dev.claws.api.v1.SubmitBenchmarkRequest;
import dev.claws.api.v1.CancelJobRequest;
import dev.claws.api.v1.ListJobsRequest;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With claws.admin-token set, mutating calls need the token; reads do not. */
@QuarkusTest
@TestProfile(AdminTokenProfile.class)
class AdminTokenTest {

    @Inject
    VariantRepository variants;

    private ManagedChannel channel;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL base;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    private String storedVariant() {
        String name = "guarded-" + UUID.randomUUID().toString().substring(0, 8);
        QuarkusTransaction.requiringNew().run(() -> {
            VariantEntity v = new VariantEntity();
            v.name = name;
            v.method = VariantEntity.Method.NONE;
            v.path = "models/" + name;
            variants.persist(v);
        });
        return name;
    }

    private boolean stored(String name) {
        return QuarkusTransaction.requiringNew().call(() -> variants.findByName(name).isPresent());
    }

    @Test
    void deleteWithoutTokenIsUnauthenticatedAndChangesNothing() {
        String name = storedVariant();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> VariantsGrpc
                .newBlockingStub(channel).deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("authorization: Bearer"));
        assertTrue(stored(name), "the row is still there");
    }

    @Test
    void deleteWithWrongTokenIsUnauthenticated() {
        String name = storedVariant();
        VariantsGrpc.VariantsBlockingStub stub = GrpcTestChannel.withAuthorization(
                VariantsGrpc.newBlockingStub(channel), "Bearer " + AdminTokenProfile.TOKEN + "x");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub.deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertTrue(stored(name));
    }

    @Test
    void deleteWithBearerTokenSucceeds() {
        String name = storedVariant();
        DeleteVariantResponse response = GrpcTestChannel.withAuthorization(VariantsGrpc.newBlockingStub(channel),
                "Bearer " + AdminTokenProfile.TOKEN).deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build());
        assertEquals(name, response.getName());
        assertFalse(response.getFilesDeleted(), "files outside <data-dir>/variants are never removed");
        assertFalse(stored(name), "the row is gone");
    }

    @Test
    void bareTokenIsAcceptedToo() {
        String name = storedVariant();
        GrpcTestChannel.withAuthorization(VariantsGrpc.newBlockingStub(channel), AdminTokenProfile.TOKEN)
                .deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build());
        assertFalse(stored(name));
    }

    @Test
    void readsNeedNoToken() {
        String name = storedVariant();
        assertEquals(name, VariantsGrpc.newBlockingStub(channel)
                .getVariant(GetVariantRequest.newBuilder().setName(name).build()).getName());
        assertTrue(VariantsGrpc.newBlockingStub(channel).listVariants(ListVariantsRequest.getDefaultInstance())
                .getVariantsList().stream().anyMatch(v -> v.getName().equals(name)));
    }

    @Test
    void otherMutatingCallsAreGuardedBeforeTheyRun() {
        StatusRuntimeException submit = assertThrows(StatusRuntimeException.class, () -> JobsGrpc
                .newBlockingStub(channel).submitCompression(SubmitCompressionRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, submit.getStatus().getCode());
        StatusRuntimeException fit = assertThrows(StatusRuntimeException.class,
                () -> LawsGrpc.newBlockingStub(channel).fitLaw(FitLawRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, fit.getStatus().getCode());
        StatusRuntimeException evaluate = assertThrows(StatusRuntimeException.class, () -> JobsGrpc
                .newBlockingStub(channel).submitEvaluation(SubmitEvaluationRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, evaluate.getStatus().getCode());
        StatusRuntimeException cancel = assertThrows(StatusRuntimeException.class, () -> JobsGrpc
                .newBlockingStub(channel).cancelJob(CancelJobRequest.newBuilder().setId(1).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, cancel.getStatus().getCode());
        StatusRuntimeException benchmark = assertThrows(StatusRuntimeException.class, () -> GrpcTestChannel
                .withAuthorization(JobsGrpc.newBlockingStub(channel), "Bearer " + AdminTokenProfile.TOKEN)
                .submitBenchmark(SubmitBenchmarkRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, benchmark.getStatus().getCode(), "with the token it is validated");
        // job reads stay open
        JobsGrpc.newBlockingStub(channel).listJobs(ListJobsRequest.getDefaultInstance());
        // with the token the call reaches the service, which validates the (empty) request
        StatusRuntimeException authorised = assertThrows(StatusRuntimeException.class, () -> GrpcTestChannel
                .withAuthorization(LawsGrpc.newBlockingStub(channel), "Bearer " + AdminTokenProfile.TOKEN)
                .fitLaw(FitLawRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, authorised.getStatus().getCode());
    }

    @Test
    void httpDeleteNeedsTheTokenAsAnOpenAiError() {
        OpenAiHttp http = new OpenAiHttp(base);
        String name = storedVariant();
        java.net.http.HttpResponse<String> missing = http.delete("/v1/models/" + name);
        assertEquals(401, missing.statusCode());
        com.fasterxml.jackson.databind.JsonNode error = OpenAiHttp.json(missing).get("error");
        assertEquals("authentication_error", error.get("type").textValue());
        assertTrue(error.get("message").textValue().contains("authorization: Bearer"), error.toString());
        assertEquals(401, http.delete("/v1/models/" + name, "Authorization", "Bearer wrong").statusCode());
        assertTrue(stored(name), "the row is still there");

        java.net.http.HttpResponse<String> deleted = http.delete("/v1/models/" + name, "Authorization",
                "Bearer " + AdminTokenProfile.TOKEN);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertTrue(OpenAiHttp.json(deleted).get("deleted").booleanValue());
        assertFalse(stored(name));
    }

    @Test
    void httpInferenceAndModelsStayOpenLikeTheGrpcReads() {
        OpenAiHttp http = new OpenAiHttp(base);
        assertEquals(200, http.get("/v1/models").statusCode());
        java.net.http.HttpResponse<String> completion = http.post("/v1/completions",
                "{\"model\": \"claws-tiny\", \"prompt\": \"Hello\", \"max_tokens\": 2}");
        assertEquals(200, completion.statusCode(), completion.body());
    }
}

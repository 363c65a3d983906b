package dev.claws.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.InferenceGrpc;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server's health at start-up: NOT_SERVING until the default model is registered and loaded, then
 * SERVING with the model answering at once; a default model that cannot load leaves it running but NOT_SERVING; a bad
 * claws.engine.decode-weights stops it at start-up.
 */
class StartupReadinessIT {

    @TempDir
    Path work;

    @Test
    void servingIsAnsweredOnlyWhenTheDefaultModelAnswersAtOnce() throws Exception {
        // wait only until the server answers at all: the default model may still be loading
        try (PackagedServer server = PackagedServer.start(PackagedServer.APP, work.resolve("server.log"),
                Map.of("claws.data-dir", work.resolve("data").toString()), "claws.v1.Variants")) {
            List<ServingStatus> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            ServingStatus status = null;
            while (status != ServingStatus.SERVING && System.nanoTime() < deadline) {
                status = overall(server);
                if (seen.isEmpty() || seen.get(seen.size() - 1) != status) {
                    seen.add(status);
                }
            }
            assertEquals(ServingStatus.SERVING, status, "health over time: " + seen);
            // the first request after SERVING, without a variant name, is served by the default model
            GenerateResponse first = InferenceGrpc.newBlockingStub(server.channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .generate(GenerateRequest.newBuilder().setPrompt("The history of the city begins")
                            .setMaxNewTokens(2).build());
            assertEquals("claws-tiny", first.getVariant());
            assertTrue(seen.stream().allMatch(s -> s == ServingStatus.NOT_SERVING || s == ServingStatus.SERVING),
                    "health over time: " + seen);
            assertTrue(server.log().contains("loaded variant claws-tiny"), "the model was loaded");
        }
    }

    @Test
    void aDefaultModelThatCannotLoadLeavesTheServerUpButNotServing() throws Exception {
        Path broken = work.resolve("broken-model");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"qwen2\"}");
        try (PackagedServer server = PackagedServer.start(PackagedServer.APP, work.resolve("server.log"),
                Map.of("claws.data-dir", work.resolve("data").toString(), "claws.model.default", broken.toString()),
                "claws.v1.Variants")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!server.log().contains("could not be loaded at start-up") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String log = server.log();
            assertTrue(log.contains("default model " + broken + " could not be loaded at start-up; health answers "
                    + "NOT_SERVING"), log);
            for (int i = 0; i < 5; i++) {
                assertEquals(ServingStatus.NOT_SERVING, overall(server));
                assertEquals(ServingStatus.NOT_SERVING, health(server, "claws.v1.Inference"));
                assertEquals(ServingStatus.SERVING, health(server, "claws.v1.Variants"));
                Thread.sleep(200);
            }
        }
    }

    @Test
    void aBadDecodeWeightsValueStopsStartUpNamingTheKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PackagedServer.start(
                PackagedServer.APP, work.resolve("server.log"), Map.of("claws.data-dir", work.resolve("data").toString(),
                        "claws.engine.decode-weights", "int4"), "claws.v1.Variants").close());
        assertTrue(e.getMessage().startsWith("server exited with "), e.getMessage());
        assertTrue(e.getMessage().contains("claws.engine.decode-weights must be float32, bfloat16 or int8, got 'int4'"),
                e.getMessage());
    }

    private static ServingStatus overall(PackagedServer server) {
        return health(server, "");
    }

    private static ServingStatus health(PackagedServer server, String service) {
        try {
            return HealthGrpc.newBlockingStub(server.channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
        } catch (StatusRuntimeException e) {
            throw new AssertionError("health check of '" + service + "' failed: " + e.getStatus(), e);
        }
    }
}

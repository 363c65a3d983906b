package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CompressionMethod;
import dev.claws.api.v1.DeleteVariantRequest;
import dev.claws.api.v1.DeleteVariantResponse;
import dev.claws.api.v1.GetVariantRequest;
import dev.claws.api.v1.ListVariantsRequest;
import dev.claws.api.v1.Variant;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.store.VariantRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.claws.store.VariantEntity;

/** Variants RPCs over the Variant table, through a real gRPC channel (no admin token configured). */
@QuarkusTest
class VariantsServiceTest {

    @Inject
    VariantRepository variants;

    @ConfigProperty(name = "claws.data-dir")
    Path dataDir;

    private ManagedChannel channel;
    private VariantsGrpc.VariantsBlockingStub stub;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
        stub = VariantsGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void store(String name, String base, VariantEntity.Method method, double ratio, String path) {
        QuarkusTransaction.requiringNew().run(() -> {
            VariantEntity v = new VariantEntity();
            v.name = name;
            v.base = base;
            v.parent = base;
            v.method = method;
            v.ratio = ratio;
            v.rftTokens = 0;
            v.parameterCount = 123_456;
            v.sizeBytes = 654_321;
            v.path = path;
            v.created = Instant.parse("2025-01-02T03:04:05Z");
            variants.persist(v);
        });
    }

    @Test
    void getAndListReturnTheStoredRows() {
        String base = unique("base");
        String child = unique("child");
        store(base, null, VariantEntity.Method.NONE, 0, "models/" + base);
        store(child, base, VariantEntity.Method.SLICEGPT, 0.25, "data/variants/" + child);

        Variant got = stub.getVariant(GetVariantRequest.newBuilder().setName(child).build());
        assertEquals(child, got.getName());
        assertEquals(base, got.getBase());
        assertEquals(base, got.getParent());
        assertEquals(CompressionMethod.COMPRESSION_METHOD_SLICEGPT, got.getMethod());
        assertEquals(0.25, got.getRatio());
        assertEquals(123_456, got.getParameterCount());
        assertEquals(654_321, got.getBytes());
        assertEquals("data/variants/" + child, got.getPath());
        assertFalse(got.getLoaded());
        assertEquals(Instant.parse("2025-01-02T03:04:05Z").getEpochSecond(), got.getCreated().getSeconds());

        List<String> family = stub.listVariants(ListVariantsRequest.newBuilder().setBase(base).build())
                .getVariantsList().stream().map(Variant::getName).toList();
        assertEquals(List.of(base, child).stream().sorted().toList(), family);
    }

    @Test
    void unknownVariantIsNotFoundAndBadNameInvalid() {
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> stub.getVariant(GetVariantRequest.newBuilder().setName("no-such-variant").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
                () -> stub.getVariant(GetVariantRequest.newBuilder().setName("../etc").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertTrue(bad.getStatus().getDescription().startsWith("name "));
        StatusRuntimeException empty = assertThrows(StatusRuntimeException.class,
                () -> stub.deleteVariant(DeleteVariantRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
    }

    @Test
    void deleteRemovesRowAndOwnedCheckpointFiles() throws IOException {
        String name = unique("owned");
        Path dir = dataDir.resolve("variants").resolve(name);
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.safetensors"), new byte[1000]);
        Files.writeString(dir.resolve("config.json"), "{}");
        store(name, null, VariantEntity.Method.NONE, 0, dir.toString());

        DeleteVariantResponse response = stub.deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build());
        assertTrue(response.getFilesDeleted());
        assertEquals(1002, response.getBytesFreed());
        assertFalse(Files.exists(dir));
        assertFalse(QuarkusTransaction.requiringNew().call(() -> variants.findByName(name).isPresent()));
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
                () -> stub.deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build()));
        assertEquals(Status.Code.NOT_FOUND, again.getStatus().getCode());
    }

    @Test
    void deleteKeepsFilesClawsDidNotCreate() throws IOException {
        String name = unique("external");
        Path dir = Files.createTempDirectory("claws-external-");
        Files.writeString(dir.resolve("config.json"), "{}");
        store(name, null, VariantEntity.Method.NONE, 0, dir.toString());

        DeleteVariantResponse response = stub.deleteVariant(DeleteVariantRequest.newBuilder().setName(name).build());
        assertFalse(response.getFilesDeleted());
        assertEquals(0, response.getBytesFreed());
        assertTrue(Files.exists(dir.resolve("config.json")));
        Files.delete(dir.resolve("config.json"));
        Files.delete(dir);
    }

    @Test
    void deleteRefusesABaseThatOthersDeriveFrom() {
        String base = unique("base");
        String child = unique("child");
        store(base, null, VariantEntity.Method.NONE, 0, "models/" + base);
        store(child, base, VariantEntity.Method.RANDOM_PRUNE, 0.5, "data/variants/" + child);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub.deleteVariant(DeleteVariantRequest.newBuilder().setName(base).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(QuarkusTransaction.requiringNew().call(() -> variants.findByName(base).isPresent()));
        stub.deleteVariant(DeleteVariantRequest.newBuilder().setName(child).build());
        stub.deleteVariant(DeleteVariantRequest.newBuilder().setName(base).build());
    }
}

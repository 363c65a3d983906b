package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.claws.api.v1.LoadVariantRequest;
import dev.claws.api.v1.UnloadVariantRequest;
import dev.claws.api.v1.VariantsGrpc;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** grpc.health.v1 reports readiness of the default model, after start-up too: unloading it makes the server unready. */
@QuarkusTest
class HealthTest {

    private ManagedChannel channel;
    private HealthGrpc.HealthBlockingStub health;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
        health = HealthGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    private ServingStatus check(String service) {
        return health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    @Test
    void everyServiceIsServingWithTheDefaultModelLoadedAndUnknownNamesAreNotFound() {
        for (String service : List.of("", "claws.v1.Inference", "claws.v1.Variants", "claws.v1.Jobs", "claws.v1.Laws",
                "grpc.health.v1.Health")) {
            assertEquals(ServingStatus.SERVING, check(service), service);
        }
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> check("claws.v1.Nope"));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }

    @Test
    void unloadingTheDefaultModelMakesTheServerNotServingUntilItIsLoadedAgain() {
        VariantsGrpc.VariantsBlockingStub variants = VariantsGrpc.newBlockingStub(channel);
        Context.CancellableContext watching = Context.current().withCancellation();
        try {
            Iterator<HealthCheckResponse> watch = watching.call(() -> HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS).watch(HealthCheckRequest.getDefaultInstance()));
            assertEquals(ServingStatus.SERVING, watch.next().getStatus());
            variants.unloadVariant(UnloadVariantRequest.newBuilder().setName(ServingFixtures.BASE).build());
            try {
                assertEquals(ServingStatus.NOT_SERVING, watch.next().getStatus());
                assertEquals(ServingStatus.NOT_SERVING, check(""));
                assertEquals(ServingStatus.NOT_SERVING, check("claws.v1.Inference"));
                assertEquals(ServingStatus.SERVING, check("claws.v1.Variants"));
            } finally {
                variants.loadVariant(LoadVariantRequest.newBuilder().setName(ServingFixtures.BASE).build());
            }
            assertEquals(ServingStatus.SERVING, watch.next().getStatus());
            assertEquals(ServingStatus.SERVING, check(""));
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            watching.cancel(null);
        }
    }
}

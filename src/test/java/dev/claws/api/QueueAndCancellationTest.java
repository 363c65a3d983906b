package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.DeleteVariantRequest;
import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.GenerateStreamResponse;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.LoadVariantRequest;
import dev.claws.api.v1.UnloadVariantRequest;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.serve.ResidentVariant;
import dev.claws.serve.VariantRegistry;
import dev.claws.store.VariantRepository;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A full queue is RESOURCE_EXHAUSTED while other variants keep serving; the memory budget refuses a load; a cancelled
 * or expired call stops decoding at once. One worker and one queue slot per variant (SmallQueueProfile).
 */
@QuarkusTest
@TestProfile(SmallQueueProfile.class)
class QueueAndCancellationTest {

    private static final int LONG = 2000;

    @Inject
    VariantRepository variants;

    @Inject
    VariantRegistry registry;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "claws.data-dir")
    Path dataDir;

    private ManagedChannel channel;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL httpBase;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    private static GenerateRequest longRequest(String variant) {
        return GenerateRequest.newBuilder().setVariant(variant).setPrompt(ServingFixtures.PROMPT)
                .setMaxNewTokens(LONG).build();
    }

    @Test
    void fullQueueIsResourceExhaustedOtherVariantsKeepServingAndTheBudgetRefusesALoad() throws Exception {
        String half = ServingFixtures.unique("tiny-ffn50");
        String threeQuarters = ServingFixtures.unique("tiny-ffn25");
        ServingFixtures.registerPrunedVariant(variants, dataDir, half, 0.5);
        ServingFixtures.registerPrunedVariant(variants, dataDir, threeQuarters, 0.25);
        VariantsGrpc.VariantsBlockingStub admin = VariantsGrpc.newBlockingStub(channel);
        admin.loadVariant(LoadVariantRequest.newBuilder().setName(half).build());
        StatusRuntimeException budget = assertThrows(StatusRuntimeException.class,
                () -> admin.loadVariant(LoadVariantRequest.newBuilder().setName(threeQuarters).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, budget.getStatus().getCode());
        assertTrue(budget.getStatus().getDescription().contains("claws.serve.memory-budget-bytes"),
                budget.getStatus().getDescription());
        assertFalse(registry.resident(threeQuarters).isPresent());

        ResidentVariant base = registry.require(ServingFixtures.BASE);
        Context.CancellableContext calls = Context.current().withCancellation();
        CountDownLatch firstPiece = new CountDownLatch(1);
        calls.run(() -> {
            InferenceGrpc.newStub(channel).generateStream(longRequest(""), new Ignore<>(firstPiece));
            awaitTrue(() -> firstPiece.getCount() == 0, 20_000);
            InferenceGrpc.newStub(channel).generate(longRequest(""), new Ignore<>(new CountDownLatch(1)));
        });
        awaitTrue(() -> base.queueDepth() == 1, 10_000);
        double rejectedBefore = rejected();
        StatusRuntimeException full = assertThrows(StatusRuntimeException.class,
                () -> InferenceGrpc.newBlockingStub(channel).generate(longRequest(ServingFixtures.BASE)));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
        assertTrue(full.getStatus().getDescription().startsWith("the request queue of variant 'claws-tiny' is full"),
                full.getStatus().getDescription());
        assertEquals(rejectedBefore + 1, rejected());
        java.net.http.HttpResponse<String> overloaded = new OpenAiHttp(httpBase).post("/v1/completions",
                "{\"model\": \"claws-tiny\", \"prompt\": \"x\", \"max_tokens\": 4}");
        assertEquals(429, overloaded.statusCode(), overloaded.body());
        assertEquals("rate_limit_error", OpenAiHttp.json(overloaded).get("error").get("type").textValue());

        // the other variant has its own queue and answers while the base's is full
        GenerateResponse other = InferenceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .generate(GenerateRequest.newBuilder().setVariant(half).setPrompt("hello").setMaxNewTokens(4).build());
        assertEquals(half, other.getVariant());
        assertEquals(1, base.running());

        calls.cancel(null);
        awaitTrue(() -> base.running() == 0 && base.queueDepth() == 0, 5_000);

        admin.unloadVariant(UnloadVariantRequest.newBuilder().setName(half).build());
        admin.deleteVariant(DeleteVariantRequest.newBuilder().setName(half).build());
        admin.deleteVariant(DeleteVariantRequest.newBuilder().setName(threeQuarters).build());
    }

    @Test
    void cancelledAndExpiredCallsStopDecodingAtOnce() throws Exception {
        ResidentVariant base = registry.require(ServingFixtures.BASE);
        awaitTrue(() -> base.running() == 0, 10_000);

        double before = tokens();
        Context.CancellableContext call = Context.current().withCancellation();
        AtomicInteger pieces = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        call.run(() -> InferenceGrpc.newStub(channel).generateStream(longRequest(""), new StreamObserver<>() {
            @Override
            public void onNext(GenerateStreamResponse value) {
                pieces.incrementAndGet();
                done.compareAndSet(false, value.getDone());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        }));
        awaitTrue(() -> pieces.get() >= 3, 20_000);
        call.cancel(null);
        long cancelledAt = System.nanoTime();
        awaitTrue(() -> base.running() == 0, 2_000);
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
        assertFalse(done.get(), "the stream was cancelled before it finished");
        double decoded = tokens() - before;
        assertTrue(decoded >= 3 && decoded < LONG / 2.0, "decoded " + decoded + " tokens of " + LONG);
        assertTrue(stopMillis < 2_000, "stopped " + stopMillis + " ms after the cancel");

        before = tokens();
        StatusRuntimeException expired = assertThrows(StatusRuntimeException.class, () -> InferenceGrpc
                .newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS).generate(longRequest("")));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, expired.getStatus().getCode());
        awaitTrue(() -> base.running() == 0, 2_000);
        double expiredTokens = tokens() - before;
        assertTrue(expiredTokens < LONG / 2.0, "decoded " + expiredTokens + " tokens after the deadline");

        // the variant serves normally afterwards
        GenerateResponse ok = InferenceGrpc.newBlockingStub(channel).generate(GenerateRequest.newBuilder()
                .setPrompt("hello").setMaxNewTokens(4).build());
        assertTrue(ok.getTiming().getGeneratedTokens() >= 1);
    }

    private double tokens() {
        Counter c = meters.find("claws.serve.tokens.generated").tag("variant", ServingFixtures.BASE).counter();
        return c == null ? 0 : c.count();
    }

    private double rejected() {
        Counter c = meters.find("claws.serve.requests.rejected").tag("variant", ServingFixtures.BASE).counter();
        return c == null ? 0 : c.count();
    }

    private static void awaitTrue(BooleanSupplier condition, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + millis + " ms");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Counts down on the first message and ignores the rest. */
    private record Ignore<T>(CountDownLatch first) implements StreamObserver<T> {
        @Override
        public void onNext(T value) {
            first.countDown();
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}

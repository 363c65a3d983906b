package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.GenerateStreamResponse;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.model.GenerationSettings;
import dev.claws.model.LanguageModel;
import dev.claws.model.TextGeneration;
import dev.claws.serve.ResidentVariant;
import dev.claws.serve.VariantRegistry;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With claws.serve.max-batch-size 4, concurrent Generate / GenerateStream calls on one variant decode as one batch and
 * still give exactly the text and tokens each request gets alone (greedy and seeded sampling); a cancelled call or an
 * expired deadline leaves the batch at once while the other rows go on.
 */
@QuarkusTest
@TestProfile(BatchingProfile.class)
class BatchedServingTest {

    private static final int LONG = 2000;

    @Inject
    VariantRegistry registry;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    private static GenerateRequest request(int i) {
        GenerateRequest.Builder b = GenerateRequest.newBuilder().setVariant(ServingFixtures.BASE)
                .setPrompt(i % 3 == 0 ? ServingFixtures.PROMPT : "Request number " + i + " talks about the river")
                .setMaxNewTokens(10 + 4 * i).setSeed(100 + i);
        if (i % 2 == 1) {
            b.setTemperature(0.8f).setTopK(i == 3 ? 50 : 0).setTopP(i == 5 ? 0.9f : 0);
        }
        return b.build();
    }

    /** What the engine alone (no batch) generates for the request, with the settings the server derives from it. */
    private static TextGeneration alone(GenerateRequest r) {
        LanguageModel engine = ServingFixtures.engine();
        double topP = r.getTopP() == 0 ? 1.0 : r.getTopP();
        return engine.generate(r.getPrompt(), new GenerationSettings(r.getMaxNewTokens(), r.getTemperature(),
                r.getTopK(), topP, r.getSeed(), null), List.of(), null, null);
    }

    @Test
    void concurrentCallsGiveTheSameTextAsSequentialOnes() throws Exception {
        int calls = 8;
        List<GenerateRequest> requests = new ArrayList<>();
        List<TextGeneration> expected = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            requests.add(request(i));
            expected.add(alone(requests.get(i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        try {
            List<Future<String[]>> results = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                GenerateRequest r = requests.get(i);
                boolean stream = i % 4 == 2;
                results.add(pool.submit(() -> stream ? streamed(r) : unary(r)));
            }
            for (int i = 0; i < calls; i++) {
                String[] got = results.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(expected.get(i).text(), got[0], "text of request " + i);
                assertEquals(ids(expected.get(i).tokenIds()), got[1], "token ids of request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
        ResidentVariant base = registry.require(ServingFixtures.BASE);
        assertTrue(base.peakBatchRows() >= 2, "decode steps should have been batched, peak " + base.peakBatchRows());
        assertTrue(base.peakBatchRows() <= BatchingProfile.ROWS);
    }

    private String[] unary(GenerateRequest r) {
        GenerateResponse g = InferenceGrpc.newBlockingStub(channel).generate(r);
        assertTrue(g.getTiming().getPrefillMs() > 0);
        assertEquals(g.getTokenIdsCount(), g.getTiming().getGeneratedTokens());
        if (g.getTokenIdsCount() > 1) {
            assertTrue(g.getTiming().getDecodeMs() > 0 && g.getTiming().getTokensPerSecond() > 0);
        }
        assertTrue(g.getTiming().getTotalMs() >= g.getTiming().getQueueMs() + g.getTiming().getPrefillMs()
                + g.getTiming().getDecodeMs() - 1e-6);
        return new String[] {g.getText(), g.getTokenIdsList().toString()};
    }

    private String[] streamed(GenerateRequest r) {
        StringBuilder text = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        int[] messages = {0};
        GenerateStreamResponse[] last = {null};
        InferenceGrpc.newBlockingStub(channel).generateStream(r).forEachRemaining(m -> {
            text.append(m.getTextDelta());
            ids.addAll(m.getTokenIdsList());
            messages[0]++;
            last[0] = m;
        });
        assertTrue(last[0].getDone());
        assertEquals(ids.size(), last[0].getTiming().getGeneratedTokens());
        assertTrue(messages[0] > 2, "text arrives in pieces, got " + messages[0] + " messages");
        return new String[] {text.toString(), ids.toString()};
    }

    private static String ids(long[] ids) {
        List<Integer> out = new ArrayList<>();
        for (long id : ids) {
            out.add((int) id);
        }
        return out.toString();
    }

    @Test
    void aCancelledOrExpiredCallLeavesTheBatchAtOnceAndTheOthersGoOn() throws Exception {
        ResidentVariant base = registry.require(ServingFixtures.BASE);
        awaitTrue(() -> base.running() == 0, 20_000);
        GenerateRequest longOne = GenerateRequest.newBuilder().setPrompt(ServingFixtures.PROMPT)
                .setMaxNewTokens(LONG).build();
        List<Context.CancellableContext> calls = new ArrayList<>();
        List<AtomicInteger> pieces = new ArrayList<>();
        List<AtomicBoolean> done = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Context.CancellableContext call = Context.current().withCancellation();
            AtomicInteger count = new AtomicInteger();
            AtomicBoolean finished = new AtomicBoolean();
            call.run(() -> InferenceGrpc.newStub(channel).generateStream(longOne, new Counting(count, finished)));
            calls.add(call);
            pieces.add(count);
            done.add(finished);
        }
        awaitTrue(() -> pieces.stream().allMatch(p -> p.get() >= 3), 20_000);
        assertEquals(3, base.running());

        calls.get(0).cancel(null);
        long cancelledAt = System.nanoTime();
        awaitTrue(() -> base.running() == 2, 2_000);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt) < 2_000);
        int othersBefore = pieces.get(1).get();
        awaitTrue(() -> pieces.get(1).get() > othersBefore + 3, 10_000);

        StatusRuntimeException expired = assertThrows(StatusRuntimeException.class, () -> InferenceGrpc
                .newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS).generate(longOne));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, expired.getStatus().getCode());
        awaitTrue(() -> base.running() == 2, 2_000);

        calls.get(1).cancel(null);
        calls.get(2).cancel(null);
        awaitTrue(() -> base.running() == 0, 2_000);
        assertTrue(done.stream().noneMatch(AtomicBoolean::get), "every long stream was cancelled before its end");

        GenerateRequest shortOne = request(0);
        assertEquals(alone(shortOne).text(), unary(shortOne)[0], "the batch serves normally afterwards");
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

    /** Counts the streamed messages and notes whether the last one arrived. */
    private record Counting(AtomicInteger count, AtomicBoolean finished) implements StreamObserver<GenerateStreamResponse> {
        @Override
        public void onNext(GenerateStreamResponse value) {
            count.incrementAndGet();
            finished.compareAndSet(false, value.getDone());
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}

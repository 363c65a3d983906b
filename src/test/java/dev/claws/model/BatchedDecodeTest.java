package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batched decode steps against single-sequence decoding: rows of different lengths joining and leaving the batch at
 * different steps (continuous batching), the shared ring cache wrapping around and growing, and whole generations
 * decoded concurrently through {@link DecodeBatch}.
 */
class BatchedDecodeTest {

    private static final Path TINY = Path.of("models/claws-tiny");
    private static final Path GQA_FIXTURE = Fixtures.dir("llama-fp32-bias-sharded");
    private static final List<DecoderModel> MODELS = new ArrayList<>();

    @AfterAll
    static void close() {
        MODELS.forEach(DecoderModel::close);
    }

    private static DecoderModel load(String which) {
        DecoderModel m = DecoderModel.load(which.equals("tiny") ? TINY : GQA_FIXTURE, EngineOptions.cpu(2));
        MODELS.add(m);
        return m;
    }

    private static long[] prompt(DecoderModel m, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = random.nextInt(m.config().vocabSize());
        }
        return ids;
    }

    /** One scheduled row: its prompt length, the step it joins before and the step it leaves before. */
    private record Plan(int promptLength, int join, int leave) {
    }

    private static final class Row {
        final Plan plan;
        final InferenceSession solo;
        long next;

        Row(Plan plan, InferenceSession solo) {
            this.plan = plan;
            this.solo = solo;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "gqa-fixture"})
    void batchedStepsGiveEachRowItsOwnLogits(String which) {
        DecoderModel m = load(which);
        // ring of 64 at first; the column wraps after step 64 and the row joining at step 70 makes it grow to 128
        // while the row of step 40 holds a wrapped window
        List<Plan> plans = List.of(new Plan(3, 0, 50), new Plan(9, 0, 20), new Plan(17, 10, 55), new Plan(1, 12, 13),
                new Plan(5, 40, 80), new Plan(30, 70, 110), new Plan(2, 75, 90));
        List<Row> rows = new ArrayList<>(); // in cache row order
        double maxDiff = 0;
        int compared = 0;
        boolean grew = false;
        try (BatchKvCache cache = new BatchKvCache(m.manager(), m.config(), 8)) {
            for (int step = 0; step < 110; step++) {
                for (int i = rows.size() - 1; i >= 0; i--) {
                    if (rows.get(i).plan.leave() == step) {
                        rows.get(i).solo.close();
                        cache.remove(i);
                        rows.set(i, rows.get(rows.size() - 1));
                        rows.remove(rows.size() - 1);
                    }
                }
                for (int p = 0; p < plans.size(); p++) {
                    Plan plan = plans.get(p);
                    if (plan.join() == step) {
                        int needed = plan.promptLength() + plan.leave() - plan.join();
                        Row row = new Row(plan, m.newSession(needed));
                        row.next = argmax(row.solo.feedLast(prompt(m, plan.promptLength(), p)));
                        int before = cache.capacity();
                        cache.add(row.solo.cache(), needed);
                        grew |= before > 0 && cache.capacity() > before;
                        rows.add(row);
                    }
                }
                if (rows.isEmpty()) {
                    continue;
                }
                long[] ids = rows.stream().mapToLong(r -> r.next).toArray();
                float[] batched;
                try (NDManager s = m.manager().newSubManager()) {
                    NDArray logits = m.decodeStep(s, ids, cache);
                    assertEquals(rows.size(), logits.getShape().get(0));
                    batched = logits.toFloatArray();
                }
                int v = m.config().vocabSize();
                for (int i = 0; i < rows.size(); i++) {
                    Row r = rows.get(i);
                    float[] alone = r.solo.feedLast(new long[] {r.next});
                    float[] mine = java.util.Arrays.copyOfRange(batched, i * v, (i + 1) * v);
                    for (int j = 0; j < v; j++) {
                        maxDiff = Math.max(maxDiff, Math.abs(alone[j] - mine[j]));
                    }
                    assertEquals(argmax(alone), argmax(mine), "greedy token of row " + r.plan + " at step " + step);
                    r.next = argmax(alone);
                    compared++;
                }
            }
            rows.forEach(r -> r.solo.close());
        }
        System.out.printf("%s: %d batched row-steps, max |logit diff| vs single-sequence decoding %.3g%n",
                which, compared, maxDiff);
        assertTrue(grew, "the ring should have grown while rows were decoding");
        assertTrue(maxDiff <= 1e-4, "max |logit diff| " + maxDiff);
        assertEquals(plans.stream().mapToInt(p -> p.leave() - p.join()).sum(), compared);
    }

    @Test
    void aStepMakesTheRingMaskOnceForAllItsLayers() {
        DecoderModel m = load("tiny");
        try (BatchKvCache cache = new BatchKvCache(m.manager(), m.config(), 2);
             InferenceSession a = m.newSession(16);
             InferenceSession b = m.newSession(16)) {
            a.feedLast(prompt(m, 3, 1));
            b.feedLast(prompt(m, 5, 2));
            cache.add(a.cache(), 16);
            cache.add(b.cache(), 16);
            try (NDManager step = m.manager().newSubManager()) {
                cache.reserve(step, 1);
                NDArray first;
                try (NDManager layer = step.newSubManager()) {
                    first = cache.mask(layer, 0, 1, cache.capacity());
                }
                try (NDManager layer = step.newSubManager()) {
                    assertSame(first, cache.mask(layer, 0, 1, cache.capacity()), "one mask for every layer");
                }
                assertSame(step, first.getManager(), "the mask outlives the layers' managers");
                float[] mask = first.toFloatArray();
                int capacity = cache.capacity();
                for (int r = 0; r < 2; r++) {
                    int visible = 0;
                    for (int j = 0; j < capacity; j++) {
                        visible += mask[r * capacity + j] == 0f ? 1 : 0;
                    }
                    // its cached positions and the column this step writes
                    assertEquals(r == 0 ? 4 : 6, visible, "visible columns of row " + r);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "gqa-fixture"})
    void concurrentGenerationsMatchSequentialOnes(String which) throws Exception {
        DecoderModel m = load(which);
        int requests = 7;
        List<long[]> prompts = new ArrayList<>();
        List<GenerationSettings> settings = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            prompts.add(prompt(m, 2 + 5 * i, 100 + i));
            GenerationSettings s = i % 2 == 0 ? GenerationSettings.greedy(12 + 3 * i)
                    : GenerationSettings.sampling(12 + 3 * i, 0.9, i == 3 ? 20 : 0, i == 5 ? 0.8 : 1.0, 7L * i);
            settings.add(s.withStopTokenIds(List.of()));
        }
        List<long[]> sequential = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            sequential.add(m.generate(prompts.get(i), settings.get(i)).tokenIds());
        }
        // fewer rows than callers: some wait for a slot, and slots are reused as rows finish
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        try (DecodeBatch batch = new DecodeBatch(m, 4, "test-batch")) {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int k = i;
                futures.add(pool.submit(() -> batch.generate(prompts.get(k), settings.get(k), null, null)));
            }
            for (int i = 0; i < requests; i++) {
                GenerationResult r = futures.get(i).get();
                assertArrayEquals(sequential.get(i), r.tokenIds(), "request " + i);
                assertEquals(StopReason.LENGTH, r.finishReason());
                assertEquals(prompts.get(i).length, r.timings().promptTokens());
                assertTrue(r.timings().decodeNanos() > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny"})
    void aCancelledRowLeavesAtOnceAndTheOthersGoOn(String which) throws Exception {
        DecoderModel m = load(which);
        GenerationSettings s = GenerationSettings.greedy(40).withStopTokenIds(List.of());
        long[] a = prompt(m, 6, 1);
        long[] b = prompt(m, 11, 2);
        long[] expected = m.generate(b, s).tokenIds();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (DecodeBatch batch = new DecodeBatch(m, 4, "test-batch")) {
            AtomicInteger seen = new AtomicInteger();
            Future<GenerationResult> cancelled = pool.submit(() -> batch.generate(a, s,
                    id -> seen.incrementAndGet() > 0, () -> seen.get() >= 5));
            Future<GenerationResult> other = pool.submit(() -> batch.generate(b, s, null, null));
            GenerationResult c = cancelled.get();
            assertEquals(StopReason.CANCELLED, c.finishReason());
            assertEquals(5, c.tokenIds().length, "no token after the cancellation");
            assertArrayEquals(m.generate(a, s).tokenIds().length >= 5
                    ? java.util.Arrays.copyOf(m.generate(a, s).tokenIds(), 5) : null, c.tokenIds());
            assertArrayEquals(expected, other.get().tokenIds());
        } finally {
            pool.shutdownNow();
        }
    }

    private static long argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}

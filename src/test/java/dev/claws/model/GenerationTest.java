package dev.claws.model;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sampling, stopping, cancellation, streaming, thread safety and memory hygiene of token generation. */
class GenerationTest {

    static DecoderModel model;
    static long[] prompt;
    static long[] greedy;

    @BeforeAll
    static void load() {
        String name = "qwen2-fp32-tied";
        model = DecoderModel.load(Fixtures.dir(name), EngineOptions.cpu(2));
        prompt = Fixtures.longs(Fixtures.reference(name).getAsJsonArray("prompt"));
        greedy = Fixtures.longs(Fixtures.reference(name).getAsJsonArray("greedy"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationSettings noStop(GenerationSettings s) {
        return s.withStopTokenIds(List.of());
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsDiffer() {
        GenerationSettings s = noStop(GenerationSettings.sampling(12, 1.0, 0, 1.0, 42L));
        long[] a = model.generate(prompt, s).tokenIds();
        long[] b = model.generate(prompt, s).tokenIds();
        assertArrayEquals(a, b);
        boolean differs = false;
        for (long seed = 1; seed < 6 && !differs; seed++) {
            differs = !Arrays.equals(a, model.generate(prompt,
                    noStop(GenerationSettings.sampling(12, 1.0, 0, 1.0, seed))).tokenIds());
        }
        assertTrue(differs, "different seeds should give different samples");
    }

    @Test
    void topKOfOneAndTinyTopPAndTinyTemperatureAreGreedy() {
        assertArrayEquals(greedy, model.generate(prompt,
                noStop(GenerationSettings.sampling(greedy.length, 1.5, 1, 1.0, 3L))).tokenIds());
        assertArrayEquals(greedy, model.generate(prompt,
                noStop(GenerationSettings.sampling(greedy.length, 1.0, 0, 1e-6, 3L))).tokenIds());
        assertArrayEquals(greedy, model.generate(prompt,
                noStop(GenerationSettings.sampling(greedy.length, 1e-4, 0, 1.0, 3L))).tokenIds());
    }

    @Test
    void topKRestrictsSamplesToTheKMostLikelyTokens() {
        float[] last = model.logits(prompt)[prompt.length - 1];
        Integer[] order = new Integer[last.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(last[y], last[x]));
        List<Integer> top3 = List.of(order[0], order[1], order[2]);
        for (long seed = 0; seed < 20; seed++) {
            long first = model.generate(prompt,
                    noStop(GenerationSettings.sampling(1, 5.0, 3, 1.0, seed))).tokenIds()[0];
            assertTrue(top3.contains((int) first), "sampled " + first + " outside top-3 " + top3);
        }
    }

    @Test
    void stopTokenEndsGeneration() {
        long stop = greedy[3];
        int first = 0;
        while (greedy[first] != stop) {
            first++;
        }
        GenerationResult r = model.generate(prompt,
                GenerationSettings.greedy(12).withStopTokenIds(List.of((int) stop)));
        assertArrayEquals(Arrays.copyOf(greedy, first + 1), r.tokenIds());
        assertEquals(StopReason.STOP_TOKEN, r.finishReason());
    }

    @Test
    void listenerStreamsTokensAndCanStop() {
        List<Long> streamed = new ArrayList<>();
        GenerationResult r = model.generate(prompt, noStop(GenerationSettings.greedy(12)), id -> {
            streamed.add(id);
            return streamed.size() < 5;
        }, null);
        assertEquals(StopReason.STOP_SEQUENCE, r.finishReason());
        assertArrayEquals(Arrays.copyOf(greedy, 5), r.tokenIds());
        assertEquals(5, streamed.size());
    }

    @Test
    void cancellationIsCheckedBeforeEveryStep() {
        AtomicInteger checks = new AtomicInteger();
        GenerationResult r = model.generate(prompt, noStop(GenerationSettings.greedy(12)), null,
                () -> checks.incrementAndGet() > 4);
        assertEquals(StopReason.CANCELLED, r.finishReason());
        assertEquals(4, r.tokenIds().length);
        assertEquals(4, r.timings().generatedTokens());
    }

    @Test
    void concurrentGenerationsOnOneModelAgreeWithSequentialOnes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long seed = i;
                futures.add(pool.submit(() -> i(seed) ? model.generate(prompt,
                        noStop(GenerationSettings.greedy(greedy.length))).tokenIds()
                        : model.generate(prompt, noStop(GenerationSettings.sampling(10, 1, 0, 1, seed))).tokenIds()));
            }
            for (int i = 0; i < futures.size(); i++) {
                long[] expected = i(i) ? greedy
                        : model.generate(prompt, noStop(GenerationSettings.sampling(10, 1, 0, 1, (long) i))).tokenIds();
                assertArrayEquals(expected, futures.get(i).get(), "thread " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean i(long n) {
        return n % 2 == 0;
    }

    @Test
    void generationLeavesNoArraysBehind() {
        NDManager m = model.manager();
        int before = m.getManagedArrays().size();
        model.generate(prompt, noStop(GenerationSettings.sampling(6, 0.9, 20, 0.9, 1L)));
        model.score(Arrays.copyOf(prompt, 4), List.of(new long[] {1, 2, 3}, new long[] {4}));
        model.logits(prompt);
        model.sequenceLogProbs(prompt);
        assertEquals(before, m.getManagedArrays().size(), "arrays leaked into the model's manager");
    }

    @Test
    void scoringSeveralContinuationsMatchesScoringEachAlone() {
        long[] ctx = Arrays.copyOf(prompt, 5);
        List<long[]> conts = List.of(new long[] {7, 8, 9}, new long[] {100}, new long[] {3, 1, 4, 1, 5});
        List<ContinuationScore> together = model.score(ctx, conts);
        for (int i = 0; i < conts.size(); i++) {
            ContinuationScore alone = model.score(ctx, conts.get(i));
            assertArrayEquals(alone.tokenLogProbs(), together.get(i).tokenLogProbs(), 1e-5);
        }
        double[] seq = model.sequenceLogProbs(prompt);
        // chunks of 3 logit rows give the same numbers as one pass
        assertArrayEquals(seq, model.sequenceLogProbs(prompt, 3L * 4 * model.config().vocabSize()), 1e-6);
        ContinuationScore tail = model.score(Arrays.copyOf(prompt, 1), Arrays.copyOfRange(prompt, 1, prompt.length));
        assertArrayEquals(seq, tail.tokenLogProbs(), 1e-5);
    }

    @Test
    void badInputIsRejectedWithTheFieldAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.generate(new long[] {5, 99999}, GenerationSettings.greedy(2)));
        assertTrue(e.getMessage().contains("outside [0, 320)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.generate(new long[0], GenerationSettings.greedy(2)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> model.generate(prompt, GenerationSettings.greedy(1000)));
        assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GenerationSettings.sampling(5, -1, 0, 1, null));
        assertThrows(IllegalArgumentException.class, () -> GenerationSettings.sampling(5, 1, 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> GenerationSettings.sampling(5, 1, -2, 1, null));
        assertThrows(IllegalArgumentException.class, () -> GenerationSettings.greedy(0));
        assertFalse(GenerationSettings.sampling(5, 1, 0, 1, null).isGreedy());
    }
}

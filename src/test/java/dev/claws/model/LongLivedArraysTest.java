package dev.claws.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Guard against the whole kind of leak where an op's result lands in the model's long-lived manager (a weight, basis
 * or cache as first operand): after N calls of every inference path the model's manager holds exactly the arrays it
 * held before. SliceGPT's products are guarded in {@code dev.claws.compress.SliceGptArraysTest}, windowed
 * cross-entropy in {@code dev.claws.eval.CrossEntropyArraysTest}.
 */
class LongLivedArraysTest {

    private static final Path TINY = Path.of("models/claws-tiny");
    private static final int N = 5;
    private static DecoderModel model;

    @BeforeAll
    static void load() {
        model = DecoderModel.load(TINY, EngineOptions.cpu(2));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static long[] tokens(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 1 + random.nextInt(model.config().vocabSize() - 1);
        }
        return ids;
    }

    private static void assertHeld(int before, String path) {
        int after = model.heldArrays();
        System.out.printf("%s: model manager held %d arrays before %d calls, %d after%n", path, before, N, after);
        assertEquals(before, after, path + ": arrays left in the model's manager after " + N + " calls");
    }

    @Test
    void prefillLeavesNothing() {
        int before = model.heldArrays();
        for (int i = 0; i < N; i++) {
            try (InferenceSession s = model.newSession(40)) {
                s.feedLast(tokens(40, i));
            }
        }
        assertHeld(before, "prefill");
    }

    @Test
    void soloDecodeLeavesNothing() {
        GenerationSettings greedy = GenerationSettings.greedy(12).withStopTokenIds(List.of());
        int before = model.heldArrays();
        for (int i = 0; i < N; i++) {
            assertEquals(12, model.generate(tokens(6, i), greedy).tokenIds().length);
        }
        assertHeld(before, "solo decode");
    }

    @Test
    void batchedDecodeLeavesNothing() throws Exception {
        GenerationSettings greedy = GenerationSettings.greedy(12).withStopTokenIds(List.of());
        int before = model.heldArrays();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (DecodeBatch batch = new DecodeBatch(model, 4, "guard-batch")) {
            for (int i = 0; i < N; i++) {
                List<Future<GenerationResult>> rows = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    long[] prompt = tokens(3 + 4 * r, 10L * i + r);
                    rows.add(pool.submit(() -> batch.generate(prompt, greedy, null, null)));
                }
                for (Future<GenerationResult> f : rows) {
                    assertEquals(12, f.get().tokenIds().length);
                }
            }
            // the batch is idle: its cache has been released, nothing of its steps may remain
            assertHeld(before, "batched decode");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void scoringLeavesNothing() {
        int before = model.heldArrays();
        for (int i = 0; i < N; i++) {
            assertEquals(3, model.score(tokens(20, i), List.of(tokens(1, i), tokens(4, i + 1), tokens(7, i + 2)))
                    .size());
        }
        assertHeld(before, "scoring");
    }

    @Test
    void sequenceLogProbsLeaveNothing() {
        int before = model.heldArrays();
        for (int i = 0; i < N; i++) {
            assertEquals(63, model.sequenceLogProbs(tokens(64, i)).length);
        }
        assertHeld(before, "sequence log-probs");
    }

    @Test
    void observingLeavesNothing() {
        int before = model.heldArrays();
        for (int i = 0; i < N; i++) {
            model.observe(tokens(16, i), (layer, point, h) -> h.sum());
        }
        assertHeld(before, "observe (calibration)");
    }
}

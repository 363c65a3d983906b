package dev.claws.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.model.EngineOptions;
import dev.claws.train.LoraConfig;
import dev.claws.train.LoraTarget;
import dev.claws.train.LrSchedule;
import dev.claws.train.Recovery;
import dev.claws.train.RecoverySpec;
import dev.claws.train.TrainingConfig;
import dev.claws.train.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two recovery runs started at once in one process (as two SubmitRecovery jobs with claws.jobs.concurrency > 1): the
 * second waits for the first, so both draw their dropout masks from their own seed and train exactly as a run alone.
 */
class ConcurrentRecoveryTest {

    private static final Path TINY = Path.of("models/claws-tiny");

    @TempDir
    Path dir;

    @Test
    void concurrentRunsAreSerializedAndReproducible() throws Exception {
        Path data = dir.resolve("data");
        JobFixtures.writeAlpaca(data.resolve("alpaca/alpaca_data.json"), 40);
        RecoverySpec spec = new RecoverySpec(TrainingData.ALPACA, 256,
                new LoraConfig(4, 8, 0.2, EnumSet.allOf(LoraTarget.class)),
                new TrainingConfig(32, 2, 64, 5e-3, 0, 0.9, 0.999, 1e-8, 1, LrSchedule.Decay.LINEAR, 1.0), 11);
        List<String> firstStages = new CopyOnWriteArrayList<>();
        List<String> secondStages = new CopyOnWriteArrayList<>();
        CountDownLatch secondWaits = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Recovery.Outcome> first = pool.submit(() -> Recovery.run(TINY, dir.resolve("a"), null, data, spec,
                    EngineOptions.cpu(2), (tokens, budget, loss, tps, stage) -> {
                        firstStages.add(stage);
                        if (stage.equals("data")) {
                            awaitQuietly(secondWaits); // hold the run until the second has tried to start
                        }
                    }));
            while (firstStages.isEmpty()) {
                Thread.sleep(5);
            }
            Future<Recovery.Outcome> second = pool.submit(() -> Recovery.run(TINY, dir.resolve("b"), null, data, spec,
                    EngineOptions.cpu(2), (tokens, budget, loss, tps, stage) -> {
                        secondStages.add(stage);
                        if (stage.equals("waiting")) {
                            secondWaits.countDown();
                        }
                    }));
            Recovery.Outcome a = first.get(5, TimeUnit.MINUTES);
            Recovery.Outcome b = second.get(5, TimeUnit.MINUTES);
            assertEquals("waiting", secondStages.get(0), "the second run waits: " + secondStages);
            assertTrue(!firstStages.contains("waiting"), "the first run starts at once: " + firstStages);
            assertEquals(a.firstLoss(), b.firstLoss(), 0.0);
            assertEquals(a.lastSmoothedLoss(), b.lastSmoothedLoss(), 0.0);
        } finally {
            pool.shutdownNow();
        }
        // same seed, same masks: the merged checkpoints are identical byte for byte
        byte[] wa = Files.readAllBytes(dir.resolve("a/model.safetensors"));
        byte[] wb = Files.readAllBytes(dir.resolve("b/model.safetensors"));
        assertArrayEquals(wa, wb);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(2, TimeUnit.MINUTES), "the second run never reported waiting");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

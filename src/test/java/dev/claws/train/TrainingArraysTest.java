package dev.claws.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.claws.model.LinearMaps;

/**
 * Training leaves nothing behind in long-lived managers: after N optimizer steps (with dropout, accumulation and a
 * projection left untargeted next to targeted slices) the model's manager holds the arrays it held before and the
 * adapters' manager exactly two per adapter; the trained adapters lower the loss of the batch they were fitted to;
 * fresh adapters (B = 0) leave the model's logits unchanged.
 */
class TrainingArraysTest {

    private static final Path TINY = Path.of("models/claws-tiny");

    @Test
    void stepsHoldNoArraysAndLearn() {
        try (DecoderModel model = DecoderModel.load(TINY, EngineOptions.cpu(2));
             NDManager root = NDManager.newBaseManager("PyTorch")) {
            LoraConfig lora = new LoraConfig(4, 8, 0.1, EnumSet.of(LoraTarget.Q, LoraTarget.V, LoraTarget.O,
                    LoraTarget.UP, LoraTarget.DOWN));
            try (LoraAdapters adapters = LoraAdapters.initialise(model, lora, 7, root)) {
                assertEquals(5 * model.layerCount(), adapters.sites().size());
                SplittableRandom random = new SplittableRandom(3);
                List<long[]> batch = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    long[] ids = new long[32];
                    for (int j = 0; j < ids.length; j++) {
                        ids[j] = random.nextInt(model.config().vocabSize());
                    }
                    batch.add(ids);
                }
                // B = 0: the adapted model computes exactly the base logits
                try (NDManager step = root.newSubManager()) {
                    float[] base = model.logits(step, batch.get(0), 1, LinearMaps.DENSE)
                            .toFloatArray();
                    float[] adapted = model.logits(step, batch.get(0), 1, adapters).toFloatArray();
                    assertArrayEquals(base, adapted, 0f);
                }
                int modelBefore = model.heldArrays();
                int adaptersBefore = adapters.heldArrays();
                TrainingConfig config = new TrainingConfig(32, 2, 128, 5e-3, 0.01, 0.9, 0.999, 1e-8, 1,
                        LrSchedule.Decay.LINEAR, 1.0);
                int steps = 8;
                LoraTrainer trainer = new LoraTrainer(model, adapters, config, steps);
                double before = trainer.loss(batch);
                for (int k = 0; k < steps; k++) {
                    trainer.step(batch);
                }
                double after = trainer.loss(batch);
                double full = fullLogitsLoss(model, adapters, batch, root);
                assertEquals(full, after, 1e-5 * full, "the chunked loss is the mean NLL of the full logits");
                System.out.printf("model manager %d -> %d arrays, adapters %d -> %d over %d steps; loss %.4f -> %.4f%n",
                        modelBefore, model.heldArrays(), adaptersBefore, adapters.heldArrays(), steps, before, after);
                assertEquals(modelBefore, model.heldArrays());
                assertEquals(2 * adapters.sites().size(), adapters.heldArrays());
                assertEquals(adaptersBefore, adapters.heldArrays());
                assertTrue(after < before - 0.05, "training on one batch lowers its loss: " + before + " -> " + after);
            }
        }
    }

    /** Mean next-token NLL from the whole [1, t, vocab] logits of each sequence at once. */
    private static double fullLogitsLoss(DecoderModel model, LoraAdapters adapters, List<long[]> batch,
                                         NDManager root) {
        double total = 0;
        long count = 0;
        for (long[] s : batch) {
            try (NDManager work = root.newSubManager()) {
                NDArray logits = model.logits(work, s, 1, adapters);
                long[] targets = Arrays.copyOfRange(s, 1, s.length);
                NDArray picked = logits.get(new NDIndex(":, :-1, :")).logSoftmax(-1)
                        .gather(work.create(targets).reshape(1, -1, 1), 2);
                total -= picked.sum().getFloat();
                count += targets.length;
            }
        }
        return total / count;
    }
}

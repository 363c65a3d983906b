package dev.claws.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.claws.compress.CompressionSpec;
import dev.claws.compress.Compressor;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoRA training of a SliceGPT variant (per-layer shortcut matrices, weightless RMSN) stays finite for the steps and
 * settings of the recovery that went NaN on SmolLM2 (8 steps, lr 1e-3, no warm-up, linear decay to the last step,
 * clipping at 1, all seven targets); and a non-finite loss or gradient stops training with an error naming the step
 * (and the adapter) instead of writing NaN into every adapter weight through the clipping coefficient.
 */
class TrainingDivergenceTest {

    private static final Path TINY = Path.of("models/claws-tiny");
    private static final EngineOptions CPU = EngineOptions.cpu(2);
    private static final LoraConfig LORA = new LoraConfig(8, 16, 0.05, EnumSet.allOf(LoraTarget.class));
    private static final TrainingConfig CONFIG = new TrainingConfig(32, 2, 128, 1e-3, 0, 0.9, 0.999, 1e-8, 0,
            LrSchedule.Decay.LINEAR, 1.0);

    @Test
    void aSlicedModelTrainsToItsLastStepWithFiniteLossesGradientsAndWeights(@TempDir Path tmp) {
        Path sliced = tmp.resolve("sliced");
        Compressor.compress(TINY, sliced, CompressionSpec.sliceGpt(0.1), tokens(8, 32, 2048, 9), CPU, null);
        try (DecoderModel model = DecoderModel.load(sliced, CPU);
             NDManager root = NDManager.newBaseManager("PyTorch");
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 1, root)) {
            assertTrue(model.config().sliceGpt() != null, "the variant is sliced");
            int steps = 8;
            List<long[]> data = tokens(steps * CONFIG.sequencesPerStep(), 32, model.config().vocabSize(), 1);
            LoraTrainer trainer = new LoraTrainer(model, adapters, CONFIG, steps);
            for (int k = 0; k < steps; k++) {
                StepResult r = trainer.step(data.subList(k * 4, (k + 1) * 4));
                System.out.printf("sliced tiny step %d: loss %.4f, gradient norm %.4f, lr %.2e%n", k + 1, r.loss(),
                        r.gradNorm(), r.learningRate());
                assertTrue(Double.isFinite(r.loss()) && Double.isFinite(r.gradNorm()), "step " + (k + 1) + ": " + r);
            }
            for (int s = 0; s < adapters.sites().size(); s++) {
                assertAllFinite(adapters.a(s), "A of " + adapters.sites().get(s));
                assertAllFinite(adapters.b(s), "B of " + adapters.sites().get(s));
            }
            float maxB = 0;
            for (float v : adapters.b(0)) {
                maxB = Math.max(maxB, Math.abs(v));
            }
            assertTrue(maxB > 0, "training moved B away from zero");
        }
    }

    @Test
    void aNonFiniteGradientStopsTrainingNamingTheStepAndTheAdapter() {
        try (DecoderModel model = DecoderModel.load(TINY, CPU);
             NDManager root = NDManager.newBaseManager("PyTorch");
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 1, root)) {
            List<long[]> data = tokens(8, 32, model.config().vocabSize(), 2);
            LoraTrainer trainer = new LoraTrainer(model, adapters, CONFIG, 2);
            trainer.step(data.subList(0, 4));
            int site = 3; // layer 0, o_proj
            float[] a = adapters.a(site);
            float[] b = adapters.b(site);
            // a backward that left NaN in one gradient: the step's own backward accumulates onto it
            NDArray p = adapters.parameter(2 * site + 1);
            boolean gradMode = JniUtils.isGradMode();
            try (NDManager m = root.newSubManager()) {
                JniUtils.setGradMode(true);
                NDArray y = p.get(m, new ai.djl.ndarray.index.NDIndex(":")).mul(Float.NaN).sum();
                JniUtils.backward((PtNDArray) y, (PtNDArray) y.onesLike(), false, false);
            } finally {
                JniUtils.setGradMode(gradMode);
            }
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> trainer.step(data.subList(4, 8)));
            System.out.println(e.getMessage());
            assertTrue(e.getMessage().startsWith("LoRA training step 2 of 2: the gradient norm is NaN (first at "
                    + "layer 0 o_proj lora_B: "), e.getMessage());
            assertArrayEquals(a, adapters.a(site), 0f);
            assertArrayEquals(b, adapters.b(site), 0f);
            for (int s = 0; s < adapters.sites().size(); s++) {
                assertAllFinite(adapters.b(s), "B of " + adapters.sites().get(s));
            }
            assertEquals(1, trainer.steps());
        }
    }

    @Test
    void aNonFiniteLossStopsTrainingNamingTheStep() {
        try (DecoderModel model = DecoderModel.load(TINY, CPU);
             NDManager root = NDManager.newBaseManager("PyTorch");
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 1, root)) {
            float[] b = adapters.b(0);
            b[0] = Float.POSITIVE_INFINITY;
            adapters.set(0, adapters.a(0), b);
            LoraTrainer trainer = new LoraTrainer(model, adapters, CONFIG, 3);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> trainer.step(tokens(4, 32, model.config().vocabSize(), 3)));
            assertTrue(e.getMessage().startsWith("LoRA training step 1 of 3: the forward loss is NaN"),
                    e.getMessage());
            assertEquals(0, trainer.steps());
        }
    }

    private static List<long[]> tokens(int sequences, int length, int vocab, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<long[]> out = new ArrayList<>();
        for (int s = 0; s < sequences; s++) {
            long[] ids = new long[length];
            for (int i = 0; i < length; i++) {
                ids[i] = random.nextInt(vocab);
            }
            out.add(ids);
        }
        return out;
    }

    private static void assertAllFinite(float[] values, String what) {
        for (float v : values) {
            assertTrue(Float.isFinite(v), what + " has a non-finite value");
        }
    }
}

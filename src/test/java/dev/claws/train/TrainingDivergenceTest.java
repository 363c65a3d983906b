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
 * The NaN adapters of a SliceGPT recovery on SmolLM2: gradients must not depend on a garbage collection between
 * forward and backward (the cause); LoRA training of a SliceGPT variant (per-layer shortcut matrices, weightless RMSN)
 * stays finite for the steps and settings of that recovery (8 steps, lr 1e-3, no warm-up, linear decay, clipping at
 * 1, all seven targets); and a non-finite loss or gradient stops training with an error naming the step (and the
 * adapter) instead of writing NaN into every adapter weight through the clipping coefficient.
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

    /**
     * The scalars the forward pass multiplies, divides and raises by are saved by autograd for the backward pass. DJL's
     * {@code x.mul(Number)} wraps its scalar around a Java direct buffer and closes it after the op, so a garbage
     * collection between forward and backward freed memory the backward then read (the NaN adapters of a SliceGPT
     * recovery on SmolLM2). Here a collection and reuse of the freed small blocks (filled with NaN bytes) run between
     * the two: the gradients must equal those of an undisturbed pass.
     */
    @Test
    void gradientsDoNotDependOnAGarbageCollectionBetweenForwardAndBackward(@TempDir Path tmp) {
        Path sliced = tmp.resolve("sliced");
        Compressor.compress(TINY, sliced, CompressionSpec.sliceGpt(0.1), tokens(8, 32, 2048, 9), CPU, null);
        for (Path dir : List.of(TINY, sliced)) {
            try (DecoderModel model = DecoderModel.load(dir, CPU);
                 NDManager root = NDManager.newBaseManager("PyTorch");
                 LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 1, root)) {
                float[] b = adapters.b(0);
                java.util.Arrays.fill(b, 0.01f); // B != 0, so every A gets a gradient too
                adapters.set(0, adapters.a(0), b);
                long[] ids = tokens(2, 32, model.config().vocabSize(), 4).stream()
                        .flatMapToLong(java.util.Arrays::stream).toArray();
                float[][] quiet = gradients(model, adapters, ids, false);
                float[][] collected = gradients(model, adapters, ids, true);
                for (int i = 0; i < quiet.length; i++) {
                    assertAllFinite(collected[i], dir.getFileName() + " parameter " + i + " gradient");
                    assertArrayEquals(quiet[i], collected[i], 0f, dir.getFileName() + " parameter " + i);
                }
            }
        }
    }

    /** Gradients of the summed final hidden states w.r.t. every adapter parameter (fresh each call). */
    private static float[][] gradients(DecoderModel model, LoraAdapters adapters, long[] ids, boolean collect) {
        boolean gradMode = JniUtils.isGradMode();
        try (NDManager work = adapters.manager().newSubManager()) {
            JniUtils.setGradMode(true);
            NDArray y = model.finalHidden(work, ids, 2, adapters).sum();
            if (collect) {
                for (int round = 0; round < 3; round++) {
                    System.gc();
                    try {
                        Thread.sleep(50); // the reference handler frees the collected buffers
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    List<java.nio.ByteBuffer> reuse = new ArrayList<>();
                    for (int i = 0; i < 20000; i++) {
                        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(4 + i % 13);
                        while (buf.hasRemaining()) {
                            buf.put((byte) 0xff); // NaN in every float a freed block could be read as
                        }
                        reuse.add(buf);
                    }
                }
            }
            JniUtils.backward((PtNDArray) y, (PtNDArray) y.onesLike(), false, false);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        float[][] out = new float[adapters.parameterCount()][];
        for (int i = 0; i < out.length; i++) {
            NDArray p = adapters.parameter(i);
            try (NDArray g = p.getGradient()) {
                out[i] = g.toFloatArray();
            }
            adapters.replace(i, p.toFloatArray()); // drops the gradient
        }
        return out;
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

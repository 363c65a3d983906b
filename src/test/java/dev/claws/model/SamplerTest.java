package dev.claws.model;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No NaN or infinity reaches sampling silently: temperatures down to the smallest positive float behave as argmax,
 * and a model producing non-finite logits fails naming the step.
 */
class SamplerTest {

    static final Path TINY = Path.of("models/claws-tiny");
    /** Down to the smallest positive float (what a proto float can carry), where logits / T used to overflow. */
    static final float[] TINY_TEMPERATURES = {Float.MIN_VALUE, 1e-44f, 1e-40f, Float.MIN_NORMAL, 1e-38f, 1e-35f, 1e-30f};

    static LanguageModel lm;
    static NDManager manager;

    @BeforeAll
    static void load() {
        lm = LanguageModel.load(TINY, EngineOptions.cpu(2));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
        lm.close();
    }

    @Test
    void aTemperatureTooSmallToScaleByIsArgmaxWithAnyTopKTopPAndSeed() {
        String prompt = "The capital of France is";
        TextGeneration greedy = lm.generate(prompt, GenerationSettings.greedy(6).withStopTokenIds(List.of()),
                List.of(), null, null);
        long seed = 1;
        for (float t : TINY_TEMPERATURES) {
            for (int topK : new int[] {0, 1, 5}) {
                for (double topP : new double[] {1.0, 0.9}) {
                    GenerationSettings s = GenerationSettings.sampling(6, t, topK, topP, seed++)
                            .withStopTokenIds(List.of());
                    TextGeneration g = lm.generate(prompt, s, List.of(), null, null);
                    assertArrayEquals(greedy.tokenIds(), g.tokenIds(),
                            "T=" + t + " top_k=" + topK + " top_p=" + topP + " seed=" + seed);
                }
            }
        }
    }

    @Test
    void samplingOverRandomLogitsAlwaysDrawsAFiniteCandidateAndTinyTemperaturesTheArgmax() {
        SplittableRandom random = new SplittableRandom(19);
        for (int trial = 0; trial < 200; trial++) {
            int vocab = 2 + random.nextInt(300);
            float[] logits = new float[vocab];
            float scale = (float) Math.pow(10, random.nextInt(-3, 5));
            for (int i = 0; i < vocab; i++) {
                logits[i] = (float) (random.nextGaussian() * scale);
            }
            int argmax = 0;
            for (int i = 1; i < vocab; i++) {
                argmax = logits[i] > logits[argmax] ? i : argmax;
            }
            double t = trial % 2 == 0 ? TINY_TEMPERATURES[random.nextInt(TINY_TEMPERATURES.length)]
                    : random.nextDouble(1e-6, 5.0);
            int topK = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(vocab);
            double topP = random.nextBoolean() ? 1.0 : random.nextDouble(0.01, 1.0);
            Sampler sampler = new Sampler(GenerationSettings.sampling(1, t, topK, topP, random.nextLong()));
            try (NDManager step = manager.newSubManager()) {
                long id = sampler.next(step.create(logits).reshape(1, vocab), 0);
                assertTrue(id >= 0 && id < vocab, "id " + id + " outside the vocabulary of " + vocab);
                if (t <= 1e-30 && uniqueMax(logits)) {
                    assertEquals(argmax, id, "T=" + t + " top_k=" + topK + " top_p=" + topP);
                }
            }
        }
    }

    @Test
    void nonFiniteLogitsFailNamingTheStep() {
        float[][] bad = {
            {1f, Float.NaN, 2f}, {1f, Float.POSITIVE_INFINITY, 2f}, {Float.NEGATIVE_INFINITY, 0f, 1f},
            {Float.NaN, Float.NaN, Float.NaN}};
        for (GenerationSettings s : List.of(GenerationSettings.greedy(1),
                GenerationSettings.sampling(1, 0.7, 0, 1.0, 1L), GenerationSettings.sampling(1, 1e-38, 2, 0.9, 1L))) {
            for (float[] logits : bad) {
                try (NDManager step = manager.newSubManager()) {
                    NonFiniteValuesException prefill = assertThrows(NonFiniteValuesException.class,
                            () -> new Sampler(s).next(step.create(logits), 0));
                    assertTrue(prefill.getMessage().contains("non-finite logits at the prefill"), prefill.getMessage());
                    NonFiniteValuesException decode = assertThrows(NonFiniteValuesException.class,
                            () -> new Sampler(s).next(step.create(logits), 3));
                    assertTrue(decode.getMessage().contains("at decode step 3"), decode.getMessage());
                }
            }
        }
    }

    @Test
    void aModelWhoseLogitsAreNaNFailsLoudlyInGenerationAndInBatchedDecoding(@TempDir Path dir) throws IOException {
        Path broken = BrokenCheckpoints.nanLogits(TINY, dir.resolve("nan-model"));
        try (LanguageModel nan = LanguageModel.load(broken, EngineOptions.cpu(2))) {
            for (GenerationSettings s : List.of(GenerationSettings.greedy(4),
                    GenerationSettings.sampling(4, 1e-38, 5, 0.9, 1L))) {
                NonFiniteValuesException e = assertThrows(NonFiniteValuesException.class,
                        () -> nan.generate("The capital of France is", s, List.of(), null, null));
                assertTrue(e.getMessage().contains("the prefill"), e.getMessage());
            }
            try (DecodeBatch batch = new DecodeBatch(nan.model(), 2, "nan-batch")) {
                NonFiniteValuesException e = assertThrows(NonFiniteValuesException.class,
                        () -> nan.generate("The capital", GenerationSettings.greedy(4), List.of(), null, null, null,
                                batch));
                assertTrue(e.getMessage().contains("the prefill"), e.getMessage());
            }
        }
    }

    private static boolean uniqueMax(float[] v) {
        float[] sorted = v.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - 1] != sorted[sorted.length - 2];
    }
}

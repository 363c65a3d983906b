package dev.claws.model;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generation's decode steps through {@link DecodeLinearMaps} on claws-tiny: float32 gives the tokens and (to float32
 * rounding) the logits of the engine path that prompts and scoring use; bfloat16 and int8 stay close to float32; none
 * leaves arrays in the model's manager.
 */
class DecodeWeightsTest {

    private static final Path TINY = Path.of("models/claws-tiny");
    private static final long[] PROMPT = {5, 17, 300, 42, 7, 1999, 64};
    private static final int STEPS = 24;
    private static final Map<WeightsDtype, DecoderModel> MODELS = new EnumMap<>(WeightsDtype.class);

    @BeforeAll
    static void load() {
        for (WeightsDtype d : WeightsDtype.values()) {
            MODELS.put(d, DecoderModel.load(TINY, EngineOptions.cpu(2).withDecodeWeights(d)));
        }
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(DecoderModel::close);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Logits of every decode step after PROMPT while feeding {@code tokens}, through the decode maps or the engine. */
    private static float[][] stepLogits(DecoderModel model, long[] tokens, boolean decodeMaps) {
        float[][] out = new float[tokens.length][];
        try (InferenceSession s = model.newSession(PROMPT.length + tokens.length)) {
            s.feedLast(PROMPT);
            for (int i = 0; i < tokens.length; i++) {
                try (NDManager step = s.manager().newSubManager()) {
                    long[] id = {tokens[i]};
                    out[i] = (decodeMaps ? s.generationStep(step, id) : s.forward(step, id, true)).toFloatArray();
                }
            }
        }
        return out;
    }

    private static double maxAbsDiff(float[][] a, float[][] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                d = Math.max(d, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return d;
    }

    private static long[] greedy(DecoderModel model) {
        return model.generate(PROMPT, GenerationSettings.greedy(STEPS).withStopTokenIds(List.of())).tokenIds();
    }

    @Test
    void float32DecodeStepsMatchTheEnginePath() {
        DecoderModel model = MODELS.get(WeightsDtype.FLOAT32);
        assertEquals(WeightsDtype.FLOAT32, model.decodeWeights());
        assertTrue(model.decodeKernels(), "surefire starts the JVM with jdk.incubator.vector");
        long[] tokens = greedy(model);
        // the same greedy tokens as the engine's own products give, fed one at a time
        long[] engine = new long[STEPS];
        try (InferenceSession s = model.newSession(PROMPT.length + STEPS)) {
            float[] logits = s.feedLast(PROMPT);
            for (int i = 0; i < STEPS; i++) {
                engine[i] = argmax(logits);
                logits = s.feedLast(new long[] {engine[i]});
            }
        }
        assertArrayEquals(engine, tokens);
        double diff = maxAbsDiff(stepLogits(model, tokens, true), stepLogits(model, tokens, false));
        System.out.printf("claws-tiny float32 decode maps vs engine: max |logit diff| %.2e%n", diff);
        assertTrue(diff < 1e-4, "float32 decode logits differ from the engine's by " + diff);
    }

    @Test
    void halfAndInt8DecodeStepsStayCloseToFloat32() {
        long[] tokens = greedy(MODELS.get(WeightsDtype.FLOAT32));
        float[][] reference = stepLogits(MODELS.get(WeightsDtype.FLOAT32), tokens, false);
        double spread = 0;
        for (float[] row : reference) {
            for (float v : row) {
                spread = Math.max(spread, Math.abs(v));
            }
        }
        for (WeightsDtype d : List.of(WeightsDtype.BFLOAT16, WeightsDtype.INT8)) {
            DecoderModel model = MODELS.get(d);
            assertEquals(d, model.decodeWeights());
            assertTrue(model.decodeWeightBytes() > 0);
            float[][] logits = stepLogits(model, tokens, true);
            double diff = maxAbsDiff(logits, reference);
            int agree = 0;
            for (int i = 0; i < STEPS; i++) {
                agree += argmax(logits[i]) == argmax(reference[i]) ? 1 : 0;
            }
            System.out.printf("claws-tiny %s decode vs float32: max |logit diff| %.4f (max |logit| %.2f), greedy "
                    + "agreement %d/%d%n", d.label(), diff, spread, agree, STEPS);
            assertTrue(diff < 0.05 * spread, d + " logits differ from float32 by " + diff);
            assertTrue(diff > 0, d + " logits equal float32's: the " + d + " weights were not used");
            assertTrue(agree >= STEPS * 3 / 4, d + " agrees with float32's greedy token at " + agree + "/" + STEPS);
        }
    }

    @Test
    void decodeInEveryDtypeLeavesNoArrays() {
        for (DecoderModel model : MODELS.values()) {
            int before = model.heldArrays();
            for (int i = 0; i < 3; i++) {
                assertEquals(STEPS, greedy(model).length);
            }
            assertEquals(before, model.heldArrays(), model.decodeWeights() + ": arrays left in the model's manager");
        }
    }

    @Test
    void batchedDecodeStepsMatchSoloOnes() throws Exception {
        for (DecoderModel model : MODELS.values()) {
            long[] solo = greedy(model);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (DecodeBatch batch = new DecodeBatch(model, 3, "decode-weights-test")) {
                GenerationSettings settings = GenerationSettings.greedy(STEPS).withStopTokenIds(List.of());
                List<Future<GenerationResult>> futures = List.of(
                        pool.submit(() -> batch.generate(PROMPT, settings, null, null)),
                        pool.submit(() -> batch.generate(PROMPT, settings, null, null)));
                for (Future<GenerationResult> f : futures) {
                    assertArrayEquals(solo, f.get().tokenIds(), model.decodeWeights() + " batched vs solo");
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}

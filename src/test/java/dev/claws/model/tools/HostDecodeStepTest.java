package dev.claws.model.tools;

import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.GenerationSettings;
import dev.claws.model.RowParallel;
import dev.claws.model.WeightsDtype;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host decode prototype against claws's decode path on claws-tiny (Qwen2: q/k/v biases, grouped-query attention,
 * tied LM head): logits of every step within 1e-4 in float32 and bfloat16 over more than one cache block of positions,
 * and the same greedy tokens as {@link DecoderModel#generate}.
 */
class HostDecodeStepTest {

    private static final Path TINY = Path.of("models/claws-tiny");
    private static final long[] PROMPT = {5, 17, 300, 42, 7, 1999, 64};
    private static final int STEPS = 70; // 77 positions: the host cache grows past its first block of 64

    @Test
    void logitsMatchTheEngineDecodePathInBothDtypes() {
        RowParallel pool = new RowParallel(2);
        long[] tokens = null;
        for (WeightsDtype d : new WeightsDtype[] {WeightsDtype.FLOAT32, WeightsDtype.BFLOAT16}) {
            try (DecoderModel model = DecoderModel.load(TINY, EngineOptions.cpu(2).withDecodeWeights(d))) {
                HostDecodeWeights weights = HostDecodeWeights.of(model, d);
                // attention heads on the calling thread (a short context's default) and split over the pool
                for (int parallelWork : new int[] {HostDecodeStep.PARALLEL_ATTENTION_WORK, 0}) {
                    HostDecodeStep host = new HostDecodeStep(weights, pool, parallelWork);
                    HostDecodeParity p = HostDecodeParity.compare(model, host, PROMPT, tokens, STEPS);
                    tokens = p.tokens();
                    String what = d + ", parallel attention from " + parallelWork;
                    assertTrue(p.promptMaxDiff() < 1e-4, what + ", after the prompt: " + p.promptMaxDiff());
                    assertTrue(p.maxStepDiff() < 1e-4, what + ", decode steps: " + p.maxStepDiff());
                    assertEquals(STEPS, p.agreeing(), what + ", greedy agreement");
                    assertEquals(PROMPT.length + STEPS, host.length());
                    assertEquals(2 * HostKvCache.BLOCK, host.cache().allocated());
                }
            }
        }
    }

    @Test
    void greedyTokensEqualGeneration() {
        try (DecoderModel model = DecoderModel.load(TINY, EngineOptions.cpu(2))) {
            HostDecodeStep host = new HostDecodeStep(HostDecodeWeights.of(model, WeightsDtype.FLOAT32),
                    new RowParallel(2));
            long[] expected = model.generate(PROMPT, GenerationSettings.greedy(20).withStopTokenIds(List.of()))
                    .tokenIds();
            HostDecodePrototype.HostRun run = HostDecodePrototype.HostRun.generate(host, PROMPT, 20);
            assertArrayEquals(expected, run.tokens());
            assertTrue(run.opNanos()[HostDecodeStep.Op.LM_HEAD.ordinal()] > 0);
        }
    }
}

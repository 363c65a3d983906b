package dev.claws.serve;

import dev.claws.model.EngineOptions;
import dev.claws.model.GenerationSettings;
import dev.claws.model.LanguageModel;
import dev.claws.model.ModelConfig;
import dev.claws.model.WorkingSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The budget counts a variant's batch ring and step working set, and refuses a prompt whose prefill would not fit
 * before any work starts, while a prompt that fits is served.
 */
class PrefillBudgetTest {

    private static final Path TINY = Path.of("models/claws-tiny");

    @Test
    void theEstimateCountsTheBatchRingAndTheStepWorkingSet() {
        ModelConfig c = ModelConfig.load(TINY);
        MemoryEstimate alone = MemoryEstimate.of(TINY, 1);
        MemoryEstimate batched = MemoryEstimate.of(TINY, 8);
        assertEquals(4_203_008, alone.weightBytes());
        assertEquals(0, alone.batchCacheBytes());
        // 8 rows x 2048 positions x (2 x 4 layers x 2 kv heads x 32 x 4 bytes)
        assertEquals(8L * 2048 * 2 * 4 * 2 * 32 * 4, batched.batchCacheBytes());
        assertEquals(8 * alone.stepBytes(), batched.stepBytes());
        assertTrue(batched.totalBytes() > alone.totalBytes() + batched.batchCacheBytes());
        // prefill grows linearly in the prompt once the attention scores reach their chunk bound (3 x 32 MB)
        long a = WorkingSet.prefillBytes(c, 2048);
        long b = WorkingSet.prefillBytes(c, 1792);
        long d = WorkingSet.prefillBytes(c, 1536);
        assertEquals(a - b, b - d);
        assertTrue(WorkingSet.prefillBytes(c, 512) < d);
    }

    @Test
    void aPromptWhosePrefillDoesNotFitIsRefusedBeforeAnyWork() throws Exception {
        long[] free = {0};
        VariantScheduler scheduler = new VariantScheduler("tiny", 1, 4);
        LanguageModel model = LanguageModel.load(TINY, EngineOptions.cpu(1));
        ResidentVariant v = new ResidentVariant("tiny", TINY, model, 1, scheduler,
                new ServingMetrics(new SimpleMeterRegistry()), 1, () -> free[0]);
        try {
            String prompt = "word ".repeat(300);
            int tokens = v.promptTokens(prompt);
            long needed = WorkingSet.prefillBytes(model.model().config(), tokens);
            free[0] = needed - 1;
            GenerationRequest request = new GenerationRequest(prompt, GenerationSettings.greedy(2).withStopTokenIds(List.of()), List.of());
            ServeException e = assertThrows(ServeException.class,
                    () -> v.generate(request, (piece, ids) -> { }, () -> false, System.nanoTime(), "Generate"));
            assertEquals(ServeException.Kind.OVERLOADED, e.kind());
            assertTrue(e.getMessage().contains("claws.serve.memory-budget-bytes"), e.getMessage());
            assertEquals(0, v.queueDepth());
            assertEquals(0, v.running());

            free[0] = needed;
            ServedGeneration served = v.generate(request, (piece, ids) -> { }, () -> false, System.nanoTime(),
                    "Generate").get();
            assertEquals(2, served.tokenIds().length);
        } finally {
            v.close();
        }
    }
}

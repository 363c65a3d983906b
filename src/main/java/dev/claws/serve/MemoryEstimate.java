package dev.claws.serve;

import dev.claws.model.ModelConfig;
import dev.claws.model.WorkingSet;
import dev.claws.model.io.CheckpointTensors;
import java.nio.file.Path;

/**
 * Memory a variant takes once resident: every stored tensor at the engine's compute dtype (float32, 4 bytes per
 * element; BF16/F16 weights are widened on load), plus, when its decode steps are batched, the batch's KV ring at its
 * largest ({@code batchRows} rows of a full context) and the working set of one batched step at that many rows
 * (formulas in {@link WorkingSet}). Read from the safetensors headers and config.json only, so it costs nothing.
 * A request's prefill is checked on its own against what the budget leaves ({@link #prefillBytes}).
 */
record MemoryEstimate(long weightBytes, long batchCacheBytes, long stepBytes) {

    static final int ENGINE_BYTES_PER_ELEMENT = 4;

    /** The bytes counted against claws.serve.memory-budget-bytes. */
    long totalBytes() {
        return weightBytes + batchCacheBytes + stepBytes;
    }

    /** @param batchRows rows of the decode batch (at most 1: no batch, decode steps of one row) */
    static MemoryEstimate of(Path checkpoint, int batchRows) {
        long elements = 0;
        try (CheckpointTensors tensors = CheckpointTensors.open(checkpoint)) {
            for (String name : tensors.names()) {
                elements += tensors.entry(name).elementCount();
            }
        }
        ModelConfig config = ModelConfig.load(checkpoint);
        int rows = Math.max(1, batchRows);
        long ring = batchRows > 1 ? WorkingSet.batchCacheBytes(config, batchRows) : 0;
        return new MemoryEstimate(elements * ENGINE_BYTES_PER_ELEMENT, ring, WorkingSet.decodeStepBytes(config, rows));
    }

    /** Peak bytes of the prefill of a {@code promptTokens}-token prompt (with the KV cache it keeps). */
    static long prefillBytes(ModelConfig config, int promptTokens) {
        return WorkingSet.prefillBytes(config, promptTokens);
    }
}

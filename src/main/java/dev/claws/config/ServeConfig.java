package dev.claws.config;

import io.smallrye.config.ConfigMapping;

/** {@code claws.serve.*}: limits of the variants served for inference. */
@ConfigMapping(prefix = "claws.serve")
public interface ServeConfig {

    /**
     * {@code claws.serve.memory-budget-bytes}: bytes the resident variants may take together (each estimated as its
     * stored tensors at float32 plus working memory); at least 1.
     */
    long memoryBudgetBytes();

    /** {@code claws.serve.queue-capacity}: requests that may wait per variant before RESOURCE_EXHAUSTED; at least 1. */
    int queueCapacity();

    /** {@code claws.serve.concurrency}: requests each variant works on at once (its worker threads); at least 1. */
    int concurrency();

    /**
     * {@code claws.serve.max-batch-size}: most generations of one variant whose decode steps run as one batched
     * forward pass (1 = no batching; effectively at most the concurrency); at least 1.
     */
    int maxBatchSize();

    /** {@code claws.serve.load-default-at-start}: whether the default model is registered and loaded at start-up. */
    boolean loadDefaultAtStart();
}

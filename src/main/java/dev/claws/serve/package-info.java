/**
 * Inference serving: the variant registry (base model and variants resident at once, within a memory budget), one
 * scheduler per variant (queue, workers, batched decode steps), request timing and metrics, and the default model
 * (fetched once with pip, imported from GGUF, loaded at start-up).
 *
 * <p>May import: model (and model.io, model.gguf), eval (prompt scoring), store (variant rows), config. Never api or
 * jobs.
 */
package dev.claws.serve;

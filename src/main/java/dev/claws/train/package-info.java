/**
 * Recovery fine-tuning: LoRA adapters on the model's one decoder layer, AdamW with warm-up and decay, data packing
 * (Alpaca template, corpora), merging W + (alpha / r) B A, and the peft adapter format.
 *
 * <p>May import: model, model.io, eval (corpora and cross-entropy for before/after checks). Never compress or the
 * layers above.
 */
package dev.claws.train;

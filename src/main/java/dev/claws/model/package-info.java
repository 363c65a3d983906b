/**
 * The language model: configuration, the Qwen2/LLaMA decoder with ONE decoder-layer implementation (prefill, solo and
 * batched decode, scoring, training), KV caches as a strategy, RoPE, sampling, tokenizer, chat templates and the
 * DJL/PyTorch engine set-up. Logits match Hugging Face transformers on the same checkpoint.
 *
 * <p>May import: model.io (and DJL). Nothing above it.
 */
package dev.claws.model;

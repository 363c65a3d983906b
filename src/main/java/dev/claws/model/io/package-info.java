/**
 * Hugging Face checkpoint directories in and out: config.json, safetensors (sharded, with index; fp32/bf16/fp16),
 * file-tree helpers and the checkpoint errors.
 *
 * <p>May import: nothing from claws (DJL only).
 */
package dev.claws.model.io;

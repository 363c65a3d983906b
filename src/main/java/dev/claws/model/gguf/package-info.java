/**
 * GGUF in: the file reader, dequantization of the ggml block types, llama/qwen2 tensor mapping, the tokenizer rebuilt
 * from the metadata, and the importer that writes a float32 checkpoint directory.
 *
 * <p>May import: model, model.io.
 */
package dev.claws.model.gguf;

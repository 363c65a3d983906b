package dev.claws.compress;

import java.nio.file.Path;

/**
 * What a compression wrote.
 *
 * @param directory      the new checkpoint directory
 * @param parameterCount sum of the element counts of every tensor written
 * @param bytes          total size of the written .safetensors files
 */
public record CompressionOutcome(Path directory, long parameterCount, long bytes) {
}

package dev.claws.serve;

import dev.claws.model.io.CheckpointTensors;
import java.nio.file.Path;

/**
 * Memory a checkpoint takes once resident: every stored tensor at the engine's compute dtype (float32, 4 bytes per
 * element; BF16/F16 weights are widened on load). Read from the safetensors headers only, so it costs nothing.
 */
final class MemoryEstimate {

    static final int ENGINE_BYTES_PER_ELEMENT = 4;

    private MemoryEstimate() {
    }

    static long residentBytes(Path checkpoint) {
        long elements = 0;
        try (CheckpointTensors tensors = CheckpointTensors.open(checkpoint)) {
            for (String name : tensors.names()) {
                elements += tensors.entry(name).elementCount();
            }
        }
        return elements * ENGINE_BYTES_PER_ELEMENT;
    }
}

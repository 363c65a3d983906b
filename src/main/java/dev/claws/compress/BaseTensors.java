package dev.claws.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.claws.model.ModelConfig;
import dev.claws.model.TensorLayout;
import dev.claws.model.io.CheckpointException;
import dev.claws.model.io.CheckpointTensors;
import dev.claws.model.io.DType;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The base checkpoint's tensors, read one at a time as float32 and checked against the shapes its config.json
 * implies (so a malformed base fails naming the tensor, never with a wrong-shaped output).
 */
final class BaseTensors implements AutoCloseable {

    private final CheckpointTensors tensors;
    private final Map<String, long[]> expected;

    private BaseTensors(CheckpointTensors tensors, Map<String, long[]> expected) {
        this.tensors = tensors;
        this.expected = expected;
    }

    static BaseTensors open(Path base, ModelConfig config) {
        CheckpointTensors t = CheckpointTensors.open(base);
        if (t.names().isEmpty()) {
            t.close();
            throw new CheckpointException("checkpoint " + base + " holds no tensors");
        }
        return new BaseTensors(t, TensorLayout.of(config));
    }

    /** The dtype the base stores its weights in (the output keeps it). */
    DType dtype() {
        return tensors.entry("model.embed_tokens.weight").dtype();
    }

    NDArray read(String name, NDManager m) {
        long[] want = expected.get(name);
        if (want == null) {
            throw new CheckpointException("tensor '" + name + "' is not part of the base checkpoint's layout");
        }
        long[] found = tensors.entry(name).shape();
        if (!Arrays.equals(found, want)) {
            throw new CheckpointException("tensor '" + name + "' has shape " + Arrays.toString(found)
                    + " but config.json implies " + Arrays.toString(want) + " (" + tensors.directory() + ")");
        }
        return tensors.readFloat32(name, m);
    }

    @Override
    public void close() {
        tensors.close();
    }
}

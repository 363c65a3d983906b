package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.claws.model.io.DType;
import dev.claws.model.io.SafetensorsReader;
import dev.claws.model.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checkpoints that load but compute garbage, for the tests of what a faulty model must not do silently. */
public final class BrokenCheckpoints {

    private BrokenCheckpoints() {
    }

    /**
     * A copy of a single-file checkpoint whose final-norm weight is NaN: every logit it produces is NaN.
     *
     * @return {@code target}
     */
    public static Path nanLogits(Path base, Path target) throws IOException {
        Files.createDirectories(target);
        for (String file : List.of(ModelConfig.FILE_NAME, TextTokenizer.FILE_NAME, "tokenizer_config.json")) {
            if (Files.exists(base.resolve(file))) {
                Files.copy(base.resolve(file), target.resolve(file));
            }
        }
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsReader reader = SafetensorsReader.open(base.resolve("model.safetensors"))) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String name : reader.names()) {
                NDArray t = reader.readFloat32(name, m);
                tensors.put(name, name.equals("model.norm.weight") ? t.mul(Float.NaN) : t);
            }
            SafetensorsWriter.write(target.resolve("model.safetensors"), tensors, DType.F32, Map.of());
        }
        return target;
    }
}

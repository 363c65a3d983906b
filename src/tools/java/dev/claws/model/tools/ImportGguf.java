package dev.claws.model.tools;

import dev.claws.model.ModelConfig;
import dev.claws.model.gguf.GgufImporter;
import dev.claws.model.io.DType;

import java.nio.file.Path;
import java.util.Set;

/**
 * Imports a GGUF file (llama or qwen2; F32/F16/BF16/Q8_0/Q4_0/Q4_1/Q5_0/Q5_1/Q4_K/Q5_K/Q6_K tensors) into a Hugging
 * Face checkpoint directory that claws and transformers load:
 * <pre>
 *   ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.model.tools.ImportGguf \
 *     -Dexec.args="--gguf ../shared/models/SmolLM2-135M-Instruct.Q4_1.gguf --out /tmp/smollm2 --dtype float32"
 * </pre>
 * --dtype is float32 (default, exact) or bfloat16 (half the size, rounded to nearest even).
 */
public final class ImportGguf {

    private ImportGguf() {
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(args, Set.of());
        Path gguf = Path.of(cl.require("gguf"));
        Path out = Path.of(cl.require("out"));
        DType dtype = DType.parse(cl.get("dtype", "float32"));
        if (dtype == DType.F16) {
            throw new IllegalArgumentException("--dtype must be float32 or bfloat16");
        }
        long start = System.nanoTime();
        ModelConfig c = GgufImporter.importCheckpoint(gguf, out, dtype);
        System.out.printf("imported %s (%s, %d layers, %d parameters) into %s as %s in %.1f s%n", gguf,
                c.architecture().modelType(), c.numHiddenLayers(), c.parameterCount(), out, dtype.torchName(),
                (System.nanoTime() - start) / 1e9);
    }
}

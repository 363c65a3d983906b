package dev.claws.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.ModelConfig;
import dev.claws.model.io.CheckpointTensors;
import dev.claws.model.io.CheckpointWriter;
import dev.claws.model.io.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test fixture, not the compression layer: a copy of a checkpoint with a seeded random fraction of every layer's FFN
 * neurons dropped (rows of gate/up_proj, columns of down_proj). It gives the serving tests and the load test a second,
 * smaller variant of claws-tiny to serve next to the base. Command line:
 * {@code FfnRowDropFixture <source dir> <target dir> <ratio> <seed>}.
 */
public final class FfnRowDropFixture {

    private FfnRowDropFixture() {
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: FfnRowDropFixture <source dir> <target dir> <ratio in [0,1)> <seed>");
            System.exit(2);
        }
        write(Path.of(args[0]), Path.of(args[1]), Double.parseDouble(args[2]), Long.parseLong(args[3]));
        System.out.println("wrote " + args[1]);
    }

    /** Writes the pruned copy to {@code target} (which must not exist) and returns it. */
    public static Path write(Path source, Path target, double ratio, long seed) {
        ModelConfig config = ModelConfig.load(source);
        Random random = new Random(seed);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        List<Integer> widths = new ArrayList<>();
        try (NDManager manager = Engines.newManager(EngineOptions.cpu());
             CheckpointTensors in = CheckpointTensors.open(source)) {
            int[][] kept = new int[config.numHiddenLayers()][];
            for (int layer = 0; layer < kept.length; layer++) {
                int width = config.intermediateSize(layer);
                int keep = Math.max(1, (int) Math.round(width * (1 - ratio)));
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < width; i++) {
                    order.add(i);
                }
                java.util.Collections.shuffle(order, random);
                kept[layer] = order.subList(0, keep).stream().mapToInt(Integer::intValue).sorted().toArray();
                widths.add(keep);
            }
            for (String name : in.names().stream().sorted().toList()) {
                NDArray t = in.readFloat32(name, manager);
                int layer = layerOf(name);
                if (name.endsWith("mlp.gate_proj.weight") || name.endsWith("mlp.up_proj.weight")) {
                    t = rows(manager, t, kept[layer]);
                } else if (name.endsWith("mlp.down_proj.weight")) {
                    t = columns(manager, t, kept[layer]);
                }
                tensors.put(name, t);
            }
            ModelConfig pruned = config.withIntermediateSizes(widths);
            Map<String, Path> extra = new LinkedHashMap<>();
            for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
                if (Files.isRegularFile(source.resolve(file))) {
                    extra.put(file, source.resolve(file));
                }
            }
            CheckpointWriter.write(target, pruned::write, tensors, DType.F32, 0, extra);
        }
        return target;
    }

    private static int layerOf(String name) {
        String prefix = "model.layers.";
        if (!name.startsWith(prefix)) {
            return -1;
        }
        return Integer.parseInt(name.substring(prefix.length(), name.indexOf('.', prefix.length())));
    }

    private static NDArray rows(NDManager manager, NDArray matrix, int[] keep) {
        long cols = matrix.getShape().get(1);
        float[] all = matrix.toFloatArray();
        float[] out = new float[keep.length * (int) cols];
        for (int r = 0; r < keep.length; r++) {
            System.arraycopy(all, keep[r] * (int) cols, out, r * (int) cols, (int) cols);
        }
        return manager.create(out, new Shape(keep.length, cols));
    }

    private static NDArray columns(NDManager manager, NDArray matrix, int[] keep) {
        int rows = (int) matrix.getShape().get(0);
        int cols = (int) matrix.getShape().get(1);
        float[] all = matrix.toFloatArray();
        float[] out = new float[rows * keep.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < keep.length; c++) {
                out[r * keep.length + c] = all[r * cols + keep[c]];
            }
        }
        return manager.create(out, new Shape(rows, keep.length));
    }
}

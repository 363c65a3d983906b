package dev.claws.model.io;

import ai.djl.ndarray.NDArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Writes a whole checkpoint directory in the Hugging Face layout: config.json, model.safetensors (or shards
 * model-0000i-of-0000n.safetensors plus model.safetensors.index.json) and extra files such as tokenizer.json.
 * Everything is written into a hidden sibling directory first and renamed at the end, so a failure never leaves a
 * half-written checkpoint under the target name.
 */
public final class CheckpointWriter {

    private CheckpointWriter() {
    }

    /**
     * @param target        directory to create (must not exist)
     * @param configJson    writes config.json into the directory it is given
     * @param shapes        tensor names and shapes, in file order
     * @param producer      makes a tensor on demand
     * @param closeProduced whether the writer closes each produced tensor after writing it
     * @param dtype         stored dtype
     * @param maxShardBytes start a new shard when one would exceed this many data bytes (0 = one file)
     * @param extraFiles    file name in the checkpoint to source path (e.g. "tokenizer.json")
     */
    public static void write(Path target, Consumer<Path> configJson, Map<String, long[]> shapes,
                             Function<String, NDArray> producer, boolean closeProduced, DType dtype,
                             long maxShardBytes, Map<String, Path> extraFiles) {
        if (Files.exists(target)) {
            throw new CheckpointException("checkpoint directory already exists: " + target);
        }
        Path parent = target.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + target.getFileName() + ".partial-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            configJson.accept(tmp);
            List<Map<String, long[]>> shards = plan(shapes, dtype, maxShardBytes);
            if (shards.size() == 1) {
                writeShard(tmp.resolve(CheckpointTensors.SINGLE_FILE), shards.get(0), producer, closeProduced, dtype);
            } else {
                JsonObject weightMap = new JsonObject();
                long total = 0;
                for (int i = 0; i < shards.size(); i++) {
                    String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                    writeShard(tmp.resolve(name), shards.get(i), producer, closeProduced, dtype);
                    for (Map.Entry<String, long[]> e : shards.get(i).entrySet()) {
                        weightMap.addProperty(e.getKey(), name);
                        total += elements(e.getValue()) * dtype.bytes();
                    }
                }
                JsonObject index = new JsonObject();
                JsonObject meta = new JsonObject();
                meta.addProperty("total_size", total);
                index.add("metadata", meta);
                index.add("weight_map", weightMap);
                Files.writeString(tmp.resolve(CheckpointTensors.INDEX_FILE),
                        new GsonBuilder().setPrettyPrinting().create().toJson(index) + "\n", StandardCharsets.UTF_8);
            }
            for (Map.Entry<String, Path> e : extraFiles.entrySet()) {
                try (java.io.InputStream in = Files.newInputStream(e.getValue())) {
                    Files.copy(in, tmp.resolve(e.getKey())); // a new file with default permissions
                }
            }
            Files.createDirectories(parent);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            FileTrees.deleteQuietly(tmp);
            throw new CheckpointException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(tmp);
            throw e;
        }
    }

    /** Convenience: all tensors already in memory (the caller keeps ownership). */
    public static void write(Path target, Consumer<Path> configJson, Map<String, NDArray> tensors, DType dtype,
                             long maxShardBytes, Map<String, Path> extraFiles) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, v) -> shapes.put(k, v.getShape().getShape()));
        write(target, configJson, shapes, tensors::get, false, dtype, maxShardBytes, extraFiles);
    }

    private static List<Map<String, long[]>> plan(Map<String, long[]> shapes, DType dtype, long maxShardBytes) {
        List<Map<String, long[]>> shards = new ArrayList<>();
        Map<String, long[]> current = new LinkedHashMap<>();
        long bytes = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long n = elements(e.getValue()) * dtype.bytes();
            if (maxShardBytes > 0 && !current.isEmpty() && bytes + n > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                bytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            bytes += n;
        }
        shards.add(current);
        return shards;
    }

    private static void writeShard(Path file, Map<String, long[]> shapes, Function<String, NDArray> producer,
                                   boolean closeProduced, DType dtype) {
        SafetensorsWriter.write(file, shapes, producer, closeProduced, dtype, Map.of());
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}

package dev.claws.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All tensors of a Hugging Face checkpoint directory: either one {@code model.safetensors} or shards listed by
 * {@code model.safetensors.index.json} ("weight_map": tensor name to shard file).
 */
public final class CheckpointTensors implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path directory;
    private final List<SafetensorsReader> readers;
    private final Map<String, SafetensorsReader> byName;

    private CheckpointTensors(Path directory, List<SafetensorsReader> readers, Map<String, SafetensorsReader> byName) {
        this.directory = directory;
        this.readers = readers;
        this.byName = byName;
    }

    public static CheckpointTensors open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new CheckpointException("checkpoint directory not found: " + directory);
        }
        Path index = directory.resolve(INDEX_FILE);
        Path single = directory.resolve(SINGLE_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(directory, index);
        }
        if (Files.isRegularFile(single)) {
            SafetensorsReader r = SafetensorsReader.open(single);
            Map<String, SafetensorsReader> byName = new LinkedHashMap<>();
            for (String n : r.names()) {
                byName.put(n, r);
            }
            return new CheckpointTensors(directory, List.of(r), byName);
        }
        throw new CheckpointException("no " + SINGLE_FILE + " or " + INDEX_FILE + " in " + directory);
    }

    private static CheckpointTensors openSharded(Path directory, Path index) {
        JsonObject weightMap;
        try {
            JsonObject root = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8)).getAsJsonObject();
            weightMap = root.getAsJsonObject("weight_map");
            if (weightMap == null) {
                throw new CheckpointException(index + " has no \"weight_map\"");
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + index + ": " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new CheckpointException("corrupt " + index + ": " + e.getMessage(), e);
        }
        Map<String, SafetensorsReader> shards = new LinkedHashMap<>();
        Map<String, SafetensorsReader> byName = new LinkedHashMap<>();
        List<SafetensorsReader> readers = new ArrayList<>();
        try {
            for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
                String shardName = e.getValue().getAsString();
                if (shardName.contains("/") || shardName.contains("\\") || shardName.startsWith("..")) {
                    throw new CheckpointException(index + " names a shard outside the directory: " + shardName);
                }
                SafetensorsReader r = shards.get(shardName);
                if (r == null) {
                    Path shard = directory.resolve(shardName);
                    if (!Files.isRegularFile(shard)) {
                        throw new CheckpointException("shard file " + shard + " listed in " + INDEX_FILE
                                + " is missing");
                    }
                    r = SafetensorsReader.open(shard);
                    shards.put(shardName, r);
                    readers.add(r);
                }
                if (!r.contains(e.getKey())) {
                    throw new CheckpointException("tensor '" + e.getKey() + "' listed in " + INDEX_FILE
                            + " is not in shard " + shardName);
                }
                byName.put(e.getKey(), r);
            }
        } catch (RuntimeException ex) {
            readers.forEach(SafetensorsReader::close);
            throw ex;
        }
        return new CheckpointTensors(directory, readers, byName);
    }

    public Path directory() {
        return directory;
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public TensorEntry entry(String name) {
        return reader(name).entry(name);
    }

    /** The stored dtype of the first tensor (used to report a checkpoint's precision). */
    public DType storedDType() {
        return readers.get(0).entry(readers.get(0).names().iterator().next()).dtype();
    }

    public NDArray readFloat32(String name, NDManager manager) {
        return reader(name).readFloat32(name, manager);
    }

    private SafetensorsReader reader(String name) {
        SafetensorsReader r = byName.get(name);
        if (r == null) {
            throw new CheckpointException("tensor '" + name + "' missing from checkpoint " + directory);
        }
        return r;
    }

    @Override
    public void close() {
        readers.forEach(SafetensorsReader::close);
    }
}

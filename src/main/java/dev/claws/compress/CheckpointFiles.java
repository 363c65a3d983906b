package dev.claws.compress;

import dev.claws.model.io.CheckpointTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** File-level helpers: what to copy from the base, what a written checkpoint holds, and clean-up after a failure. */
final class CheckpointFiles {

    private CheckpointFiles() {
    }

    /**
     * The base's files that are not weights and not config.json (tokenizer.json, tokenizer_config.json,
     * generation_config.json, ...): copied unchanged into the compressed checkpoint. Hidden files and folders are left.
     */
    static Map<String, Path> nonWeightFiles(Path base) {
        try (Stream<Path> files = Files.list(base)) {
            List<Path> sorted = files.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
            Map<String, Path> out = new LinkedHashMap<>();
            for (Path p : sorted) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.endsWith(".safetensors") || name.endsWith(".tmp")
                        || name.equals(CheckpointTensors.INDEX_FILE) || name.equals("config.json")) {
                    continue;
                }
                out.put(name, p);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + base + ": " + e.getMessage(), e);
        }
    }

    /** Parameter count (sum of tensor element counts) and .safetensors bytes of a written checkpoint. */
    static CompressionOutcome outcome(Path dir) {
        long params = 0;
        try (CheckpointTensors t = CheckpointTensors.open(dir)) {
            for (String name : t.names()) {
                params += t.entry(name).elementCount();
            }
        }
        long bytes = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".safetensors"))
                    .collect(Collectors.toList())) {
                bytes += Files.size(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return new CompressionOutcome(dir, params, bytes);
    }
}

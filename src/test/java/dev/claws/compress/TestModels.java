package dev.claws.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.GenerationSettings;
import dev.claws.model.io.CheckpointTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** Shared inputs and readers for the compression tests. */
final class TestModels {

    static final Path TINY = Path.of("models/claws-tiny");
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/models");
    static final EngineOptions CPU = EngineOptions.cpu(1);
    static final long[] PROMPT = {5, 17, 42, 99, 3, 250, 7, 64, 128, 31, 12, 200};
    static final GenerationSettings GREEDY = GenerationSettings.greedy(8).withStopTokenIds(List.of());

    private TestModels() {
    }

    static Path fixture(String name) {
        return FIXTURES.resolve(name);
    }

    /** A few random-token sequences (a calibration set that needs no corpus). */
    static List<long[]> randomTokens(int sequences, int length, int vocab, long seed) {
        Random rnd = new Random(seed);
        List<long[]> out = new ArrayList<>();
        for (int s = 0; s < sequences; s++) {
            long[] ids = new long[length];
            for (int i = 0; i < length; i++) {
                ids[i] = rnd.nextInt(vocab);
            }
            out.add(ids);
        }
        return out;
    }

    static float[][] logits(Path dir, long[] ids) {
        try (DecoderModel m = DecoderModel.load(dir, CPU)) {
            return m.logits(ids);
        }
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }

    /** Every tensor's shape. */
    static Map<String, long[]> shapes(Path dir) {
        Map<String, long[]> out = new LinkedHashMap<>();
        try (CheckpointTensors t = CheckpointTensors.open(dir)) {
            for (String n : t.names()) {
                out.put(n, t.entry(n).shape());
            }
        }
        return out;
    }

    /** Every tensor as float32, owned by {@code m}. */
    static Map<String, NDArray> tensors(Path dir, NDManager m) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (CheckpointTensors t = CheckpointTensors.open(dir)) {
            for (String n : t.names()) {
                out.put(n, t.readFloat32(n, m));
            }
        }
        return out;
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the entries of {@code dir} (to show nothing half-written was left next to an output). */
    static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(java.util.stream.Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

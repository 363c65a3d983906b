package dev.claws.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsIoTest {

    static NDManager manager;

    @BeforeAll
    static void start() {
        manager = Engines.newManager(EngineOptions.cpu(1));
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static Map<String, NDArray> tensors() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("a.weight", manager.create(new float[] {1f, -2.5f, 3.25f, 0f, 1e-3f, 65504f}, new Shape(2, 3)));
        t.put("b.bias", manager.create(new float[] {0.1f, 0.2f, 0.3f}));
        t.put("empty", manager.zeros(new Shape(0, 4), DataType.FLOAT32));
        return t;
    }

    @Test
    void f32RoundTripIsExact(@TempDir Path dir) {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, tensors(), DType.F32, Map.of("k", "v"));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(java.util.List.of("a.weight", "b.bias", "empty"), java.util.List.copyOf(r.names()));
            assertEquals("v", r.metadata().get("k"));
            assertEquals("pt", r.metadata().get("format"));
            NDArray a = r.readFloat32("a.weight", manager);
            assertEquals(new Shape(2, 3), a.getShape());
            assertArrayEquals(tensors().get("a.weight").toFloatArray(), a.toFloatArray());
            assertEquals(0, r.readFloat32("empty", manager).getShape().size());
        }
        assertFalse(Files.exists(dir.resolve("m.safetensors.tmp")), "temporary file left behind");
    }

    @Test
    void bf16AndF16RoundTripWithinTheirPrecision(@TempDir Path dir) {
        for (DType d : new DType[] {DType.BF16, DType.F16}) {
            Path file = dir.resolve(d + ".safetensors");
            SafetensorsWriter.write(file, tensors(), d, Map.of());
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                assertEquals(d, r.entry("a.weight").dtype());
                assertEquals(6 * 2, r.entry("a.weight").end() - r.entry("a.weight").begin());
                float[] back = r.readFloat32("a.weight", manager).toFloatArray();
                float[] orig = tensors().get("a.weight").toFloatArray();
                double rel = d == DType.BF16 ? 1.0 / 128 : 1.0 / 1024;
                for (int i = 0; i < orig.length; i++) {
                    assertEquals(orig[i], back[i], Math.abs(orig[i]) * rel + 1e-6, d + " element " + i);
                }
                assertEquals(1f, back[0]);
                assertEquals(-2.5f, back[1]);
            }
        }
    }

    @Test
    void largeBf16TensorsAreWidenedExactlyAcrossChunks(@TempDir Path dir) {
        NDArray big = manager.randomNormal(new Shape(1100, 1000)); // more than one 2^20-element widening chunk
        Path file = dir.resolve("big.safetensors");
        SafetensorsWriter.write(file, Map.of("big", big), DType.BF16, Map.of());
        float[] orig = big.toFloatArray();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            NDArray back = r.readFloat32("big", manager);
            assertEquals(new Shape(1100, 1000), back.getShape());
            float[] got = back.toFloatArray();
            for (int i = 0; i < orig.length; i++) {
                float expected = Float.intBitsToFloat((SafetensorsWriter.toBf16(orig[i]) & 0xffff) << 16);
                if (expected != got[i]) {
                    throw new AssertionError("element " + i + ": " + got[i] + " != " + expected);
                }
            }
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 is exactly half-way between two bf16 values; ties go to the even one (1.0)
        assertEquals((short) 0x3f80, SafetensorsWriter.toBf16(1f + 1f / 256));
        assertEquals((short) 0x3f81, SafetensorsWriter.toBf16(1f + 3f / 512));
        assertEquals((short) 0x7fc0, SafetensorsWriter.toBf16(Float.NaN));
    }

    @Test
    void missingFileIsReported(@TempDir Path dir) {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SafetensorsReader.open(dir.resolve("nope.safetensors")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void truncatedFileIsReportedWithTheTensorThatDoesNotFit(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, tensors(), DType.F32, Map.of());
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 5);
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsReader.open(file));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("b.bias"), e.getMessage());
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(20);
        }
        e = assertThrows(CheckpointException.class, () -> SafetensorsReader.open(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptHeaderIsReported(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        byte[] json = "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}".getBytes();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + json.length + 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).putLong(0);
        Files.write(file, b.array());
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsReader.open(file));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("do not match"), e.getMessage());
        Files.writeString(file, "not a safetensors file at all");
        assertThrows(CheckpointException.class, () -> SafetensorsReader.open(file));
    }

    @Test
    void shardedCheckpointRoundTripsThroughTheIndex(@TempDir Path dir) throws IOException {
        Map<String, NDArray> t = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            t.put("w" + i, manager.randomNormal(new Shape(16, 16)));
        }
        Path target = dir.resolve("ckpt");
        CheckpointWriter.write(target, d -> { }, t, DType.F32, 2 * 16 * 16 * 4, Map.of());
        assertTrue(Files.exists(target.resolve(CheckpointTensors.INDEX_FILE)));
        assertTrue(Files.exists(target.resolve("model-00003-of-00003.safetensors")));
        try (CheckpointTensors ct = CheckpointTensors.open(target)) {
            assertEquals(t.keySet(), ct.names());
            for (String n : t.keySet()) {
                assertArrayEquals(t.get(n).toFloatArray(), ct.readFloat32(n, manager).toFloatArray());
            }
        }
        // refuses to overwrite, and a failed write leaves nothing behind
        assertThrows(CheckpointException.class, () -> CheckpointWriter.write(target, d -> { }, t, DType.F32, 0,
                Map.of()));
        Path failed = dir.resolve("failed");
        assertThrows(IllegalStateException.class, () -> CheckpointWriter.write(failed, d -> {
            throw new IllegalStateException("boom");
        }, t, DType.F32, 0, Map.of()));
        try (var s = Files.list(dir)) {
            assertEquals(java.util.List.of(target), s.toList(), "no partial directory may remain");
        }
        Files.delete(target.resolve("model-00002-of-00003.safetensors"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointTensors.open(target));
        assertTrue(e.getMessage().contains("model-00002-of-00003.safetensors"), e.getMessage());
    }

    @Test
    void directoryWithoutWeightsIsReported(@TempDir Path dir) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointTensors.open(dir));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> CheckpointTensors.open(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }
}

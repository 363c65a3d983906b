package dev.claws.model.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GGUF reader on fixtures written by the gguf Python package (src/test/python/make_gguf_fixtures.py): every
 * metadata value type, alignment, and block-by-block dequantization against gguf.quants.dequantize.
 */
class GgufFileTest {

    static final Path BLOCKS = Path.of("src/test/resources/fixtures/gguf/blocks.gguf");

    @TempDir
    Path tmp;

    @Test
    void readsEveryMetadataValueType() {
        try (GgufFile f = GgufFile.open(BLOCKS)) {
            assertEquals(3, f.version());
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals("claws-test", f.string("general.architecture"));
            assertEquals(200L, f.integer("test.u8"));
            assertEquals(GgufValueType.UINT8, f.valueType("test.u8"));
            assertEquals(-100L, f.integer("test.i8"));
            assertEquals(60000L, f.integer("test.u16"));
            assertEquals(-30000L, f.integer("test.i16"));
            assertEquals(4000000000L, f.integer("test.u32"));
            assertEquals(-2000000000L, f.integer("test.i32"));
            assertEquals(1L << 40, f.integer("test.u64"));
            assertEquals(-(1L << 40), f.integer("test.i64"));
            assertEquals(GgufValueType.FLOAT32, f.valueType("test.f32"));
            assertEquals(0.25, f.number("test.f32"));
            assertEquals(-1.5e-300, f.number("test.f64"));
            assertTrue(f.bool("test.bool", false));
            assertEquals("h\u00e9llo \uD83D\uDE00", f.string("test.string"));
            assertEquals(List.of(1L, -2L, 3L), f.array("test.array_i32"));
            assertEquals(List.of(0.5f, -0.25f), f.array("test.array_f32"));
            assertEquals(List.of("a", "", "\u00fc"), f.array("test.array_str"));
            assertEquals(List.of(true, false), f.array("test.array_bool"));
            assertEquals(List.of(List.of(1L, 2L), List.of(3L)), f.array("test.array_nested"));
            GgufException e = assertThrows(GgufException.class, () -> f.integer("test.string"));
            assertTrue(e.getMessage().contains("test.string is STRING, not an integer"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q4_K", "Q5_K", "Q6_K"})
    void dequantizesLikeTheReferenceBlockByBlock(GgmlType type) {
        try (GgufFile f = GgufFile.open(BLOCKS)) {
            GgufTensor t = f.tensor(type.name());
            assertEquals(type, t.type());
            assertArrayEquals(new long[] {2, 512}, t.shape());
            float[] got = f.dequantize(type.name());
            float[] want = f.dequantize(type.name() + ".expected");
            for (int b = 0; b < got.length / type.blockSize(); b++) {
                int from = b * type.blockSize();
                int to = from + type.blockSize();
                assertArrayEquals(Arrays.copyOfRange(want, from, to), Arrays.copyOfRange(got, from, to),
                        type + " block " + b);
            }
        }
    }

    @Test
    void halfPrecisionConversionIsExactOnEveryValue() {
        for (int h = 0; h < 0x10000; h++) {
            float v = Dequantizer.half((short) h);
            int exp = (h >> 10) & 0x1f;
            if (exp == 0x1f) {
                assertTrue((h & 0x3ff) == 0 ? Float.isInfinite(v) : Float.isNaN(v));
                continue;
            }
            double mant = exp == 0 ? (h & 0x3ff) / 1024.0 : 1 + (h & 0x3ff) / 1024.0;
            double want = Math.scalb(mant, (exp == 0 ? 1 : exp) - 15) * ((h & 0x8000) != 0 ? -1 : 1);
            assertEquals(want, v, 0.0, "half 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void readsVersionTwo() throws IOException {
        byte[] bytes = Files.readAllBytes(BLOCKS);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 2);
        Path v2 = tmp.resolve("v2.gguf");
        Files.write(v2, bytes);
        try (GgufFile f = GgufFile.open(v2)) {
            assertEquals(2, f.version());
            assertEquals(22, f.tensors().size());
        }
    }

    @Test
    void refusesOtherVersionsAndBigEndianFiles() throws IOException {
        assertEquals("has GGUF version 1 (supported: 2 and 3)", refusal(patchInt(4, 1)));
        assertEquals("is a big-endian GGUF file; only little-endian files are supported",
                refusal(patchInt(4, Integer.reverseBytes(3))));
        assertEquals("is not a GGUF file (no \"GGUF\" magic at its start)", refusal(patchInt(0, 0x4c4c4747)));
    }

    @Test
    void namesTheTruncation() throws IOException {
        byte[] bytes = Files.readAllBytes(BLOCKS);
        Path header = tmp.resolve("header.gguf");
        Files.write(header, Arrays.copyOf(bytes, 300));
        String m = assertThrows(GgufException.class, () -> GgufFile.open(header)).getMessage();
        assertTrue(m.contains("is truncated"), m);
        Path data = tmp.resolve("data.gguf");
        Files.write(data, Arrays.copyOf(bytes, bytes.length - 10));
        m = assertThrows(GgufException.class, () -> GgufFile.open(data)).getMessage();
        assertTrue(m.contains("is truncated: tensor 'Q6_K.expected' ends at byte " + bytes.length + " but the file has "
                + (bytes.length - 10) + " bytes"), m);
    }

    @Test
    void namesAnUnknownAndAnUnsupportedTensorType() throws IOException {
        byte[] bytes = Files.readAllBytes(BLOCKS);
        int typeAt = typeFieldOf(bytes, "Q4_K");
        Path unknown = tmp.resolve("unknown.gguf");
        byte[] u = bytes.clone();
        ByteBuffer.wrap(u).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 77);
        Files.write(unknown, u);
        String m = assertThrows(GgufException.class, () -> GgufFile.open(unknown)).getMessage();
        assertTrue(m.endsWith("tensor 'Q4_K' has an unknown tensor type (ggml type id 77)"), m);
        Path q2k = tmp.resolve("q2k.gguf");
        byte[] q = bytes.clone();
        ByteBuffer.wrap(q).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, GgmlType.Q2_K.id());
        Files.write(q2k, q);
        try (GgufFile f = GgufFile.open(q2k)) {
            m = assertThrows(GgufException.class, () -> f.dequantize("Q4_K")).getMessage();
            assertTrue(m.contains("tensor 'Q4_K' has type Q2_K, which claws cannot dequantize"), m);
        }
    }

    /** Byte offset of the type field in the tensor info of {@code name} (after the name, n_dims and dims). */
    private static int typeFieldOf(byte[] file, String name) {
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 8; i + 8 + key.length < file.length; i++) {
            if (b.getLong(i) == key.length && Arrays.equals(Arrays.copyOfRange(file, i + 8, i + 8 + key.length), key)
                    && b.getInt(i + 8 + key.length) == 2) {
                return i + 8 + key.length + 4 + 2 * 8;
            }
        }
        throw new AssertionError("no tensor info " + name);
    }

    private Path patchInt(int at, int value) throws IOException {
        byte[] bytes = Files.readAllBytes(BLOCKS);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        Path p = tmp.resolve("patched-" + at + "-" + value + ".gguf");
        Files.write(p, bytes);
        return p;
    }

    private static String refusal(Path p) {
        String m = assertThrows(GgufException.class, () -> GgufFile.open(p)).getMessage();
        assertTrue(m.startsWith(p + " "), m);
        return m.substring(p.toString().length() + 1);
    }
}

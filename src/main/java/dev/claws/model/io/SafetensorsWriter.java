package dev.claws.model.io;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes tensors to one .safetensors file in the requested dtype. The file is written under a temporary name and
 * moved into place at the end, so a failed write never leaves a half-written file behind.
 */
public final class SafetensorsWriter {

    private SafetensorsWriter() {
    }

    /** Bytes the tensors take in {@code dtype} (data section only). */
    public static long dataBytes(Map<String, NDArray> tensors, DType dtype) {
        long total = 0;
        for (NDArray a : tensors.values()) {
            total += a.getShape().size() * dtype.bytes();
        }
        return total;
    }

    /** Writes tensors already in memory (the caller keeps ownership). */
    public static void write(Path file, Map<String, NDArray> tensors, DType dtype, Map<String, String> metadata) {
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        tensors.forEach((k, v) -> shapes.put(k, v.getShape().getShape()));
        write(file, shapes, tensors::get, false, dtype, metadata);
    }

    /**
     * Writes tensors made one at a time by {@code producer} (so a large checkpoint never has to be in memory at
     * once); with {@code closeProduced} each produced array is closed after it is written.
     */
    public static void write(Path file, Map<String, long[]> shapes, Function<String, NDArray> producer,
                             boolean closeProduced, DType dtype, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "pt");
        metadata.forEach(meta::addProperty);
        header.add("__metadata__", meta);
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long elements = 1;
            for (long d : e.getValue()) {
                elements *= d;
            }
            long n = elements * dtype.bytes();
            JsonObject t = new JsonObject();
            t.addProperty("dtype", dtype.name());
            JsonArray shape = new JsonArray();
            for (long d : e.getValue()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + n);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
            offset += n;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keeps the data section 8-byte aligned, as the reference writer does
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, head);
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                NDArray a = producer.apply(e.getKey());
                try {
                    if (!java.util.Arrays.equals(a.getShape().getShape(), e.getValue())) {
                        throw new CheckpointException("tensor '" + e.getKey() + "' has shape " + a.getShape()
                                + " but the header says " + java.util.Arrays.toString(e.getValue()));
                    }
                    if (dtype == DType.BF16) {
                        writeFully(out, narrowToBf16(a));
                    } else if (a.getDataType() == dtype.djlType()) {
                        writeFully(out, a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
                    } else {
                        try (NDArray converted = a.toType(dtype.djlType(), false)) {
                            writeFully(out, converted.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
                        }
                    }
                } finally {
                    if (closeProduced) {
                        a.close();
                    }
                }
            }
            out.force(true);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CheckpointException("cannot move " + tmp + " to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * float32 to bfloat16 on the host with round-to-nearest-even (what torch does); DJL 0.35 cannot hand out
     * bfloat16 buffers safely.
     */
    private static ByteBuffer narrowToBf16(NDArray a) {
        float[] values;
        if (a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
            values = a.toFloatArray();
        } else {
            try (NDArray f = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)) {
                values = f.toFloatArray();
            }
        }
        ByteBuffer out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putShort(toBf16(v));
        }
        return out.flip();
    }

    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) 0x7fc0;
        }
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort clean-up after a failure that is already being reported
        }
    }
}

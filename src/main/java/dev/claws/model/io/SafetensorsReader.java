package dev.claws.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads one .safetensors file: an 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets}}, then the raw little-endian tensor bytes. The header is validated against the
 * file size up front, so a truncated file fails on open, naming the first tensor that does not fit.
 * Tensors are memory-mapped and copied into engine memory as float32 on demand.
 */
public final class SafetensorsReader implements AutoCloseable {

    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorEntry> entries;
    private final Map<String, String> metadata;
    private static final int WIDEN_CHUNK = 1 << 20;
    private ByteBuffer scratch;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart, Map<String, TensorEntry> entries,
                              Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsReader open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("safetensors file not found: " + file);
        } catch (IOException e) {
            throw new CheckpointException("cannot open safetensors file " + file + ": " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException("truncated safetensors file " + file + ": " + size + " bytes, no header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new CheckpointException("truncated or corrupt safetensors file " + file + ": header length "
                        + headerLen + " does not fit in " + size + " bytes");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(channel, headerBuf, 8);
            String json = new String(headerBuf.array(), StandardCharsets.UTF_8);
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorEntry> entries = parseHeader(file, json, metadata);
            long dataSize = size - dataStart;
            for (TensorEntry e : entries.values()) {
                if (e.end() > dataSize) {
                    throw new CheckpointException("truncated safetensors file " + file + ": tensor '" + e.name()
                            + "' needs data bytes up to " + e.end() + " but only " + dataSize + " are present");
                }
            }
            return new SafetensorsReader(file, channel, dataStart, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Map<String, TensorEntry> parseHeader(Path file, String json, Map<String, String> metadata) {
        JsonObject root;
        try {
            root = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException("corrupt safetensors header in " + file + ": " + e.getMessage(), e);
        }
        Map<String, TensorEntry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> kv : root.entrySet()) {
            String name = kv.getKey();
            if (name.equals("__metadata__")) {
                for (Map.Entry<String, JsonElement> m : kv.getValue().getAsJsonObject().entrySet()) {
                    metadata.put(m.getKey(), m.getValue().getAsString());
                }
                continue;
            }
            try {
                JsonObject t = kv.getValue().getAsJsonObject();
                DType dtype = DType.parse(t.get("dtype").getAsString());
                JsonArray shapeJson = t.getAsJsonArray("shape");
                long[] shape = new long[shapeJson.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeJson.get(i).getAsLong();
                    if (shape[i] < 0) {
                        throw new CheckpointException("negative dimension");
                    }
                }
                JsonArray offsets = t.getAsJsonArray("data_offsets");
                long begin = offsets.get(0).getAsLong();
                long end = offsets.get(1).getAsLong();
                TensorEntry entry = new TensorEntry(name, dtype, shape, begin, end);
                if (begin < 0 || end - begin != entry.elementCount() * dtype.bytes()) {
                    throw new CheckpointException("data_offsets [" + begin + ", " + end + "] do not match "
                            + dtype + " shape " + entry.shapeString());
                }
                entries.put(name, entry);
            } catch (CheckpointException e) {
                throw new CheckpointException("bad safetensors entry '" + name + "' in " + file + ": "
                        + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new CheckpointException("bad safetensors entry '" + name + "' in " + file + ": " + e, e);
            }
        }
        return entries;
    }

    public Path file() {
        return file;
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public TensorEntry entry(String name) {
        TensorEntry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException("tensor '" + name + "' not found in " + file);
        }
        return e;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Reads a tensor into engine memory converted to float32 (a copy owned by {@code manager}). */
    public NDArray readFloat32(String name, NDManager manager) {
        TensorEntry e = entry(name);
        Shape shape = new Shape(e.shape());
        if (e.elementCount() == 0) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        ByteBuffer bytes = map(e);
        if (e.dtype() == DType.BF16) {
            return widenBf16(e, bytes, shape, manager);
        }
        // the mapped view is wrapped without copying, so the result must be a real copy: the mapping goes away when
        // the buffer is collected (DJL's toType returns an alias when the dtype already matches, hence duplicate())
        try (NDArray raw = manager.create(bytes, shape, e.dtype().djlType())) {
            return e.dtype() == DType.F32 ? raw.duplicate() : raw.toType(DataType.FLOAT32, false);
        }
    }

    /**
     * DJL 0.35 aborts the JVM when asked for a bfloat16 tensor from a buffer, so bf16 is widened on the host (it is the
     * high half of a float32: exact) through a small reusable buffer, chunk by chunk, into an engine-owned tensor.
     */
    private NDArray widenBf16(TensorEntry e, ByteBuffer bf16, Shape shape, NDManager manager) {
        long count = e.elementCount();
        if (scratch == null) {
            scratch = ByteBuffer.allocateDirect(WIDEN_CHUNK * 4).order(ByteOrder.nativeOrder());
        }
        java.nio.ShortBuffer in = bf16.asShortBuffer();
        java.nio.IntBuffer dst = scratch.asIntBuffer();
        NDArray out = manager.create(new Shape(count), DataType.FLOAT32);
        for (long from = 0; from < count; from += WIDEN_CHUNK) {
            int n = (int) Math.min(WIDEN_CHUNK, count - from);
            for (int i = 0; i < n; i++) {
                dst.put(i, (in.get((int) (from + i)) & 0xffff) << 16);
            }
            ByteBuffer chunk = scratch.duplicate().order(ByteOrder.nativeOrder());
            chunk.position(0).limit(n * 4);
            try (NDArray part = manager.create(chunk.slice().order(ByteOrder.nativeOrder()), new Shape(n),
                    DataType.FLOAT32)) {
                out.set(new ai.djl.ndarray.index.NDIndex("{}:{}", from, from + n), part);
            }
        }
        NDArray shaped = out.reshape(shape);
        out.close();
        return shaped;
    }

    private ByteBuffer map(TensorEntry e) {
        try {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(),
                    e.end() - e.begin());
            return mapped.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new CheckpointException("cannot read tensor '" + e.name() + "' from " + file + ": "
                    + ex.getMessage(), ex);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing; the original error is what matters
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}

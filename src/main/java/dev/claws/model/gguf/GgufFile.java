package dev.claws.model.gguf;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (llama.cpp's format, versions 2 and 3, little-endian; spec: ggml docs/gguf.md): the metadata key/value
 * pairs, the tensor infos, and the tensor data, memory-mapped and dequantized to float32 on demand.
 *
 * <p>Metadata values are Java objects: unsigned and signed integers as {@link Long} (uint64 above 2^63-1 wraps),
 * float32 as {@link Float}, float64 as {@link Double}, bool as {@link Boolean}, string as {@link String}, array as an
 * unmodifiable {@link List} of those (arrays may nest). {@link #valueType(String)} gives the stored type.
 *
 * <p>Errors (all {@link GgufException}): not a GGUF file, an unsupported version or byte order, a truncated file
 * (header or tensor data ending before the file does), an unknown tensor or value type, a tensor type claws cannot
 * dequantize, a misaligned tensor offset.
 */
public final class GgufFile implements AutoCloseable {

    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    public static final String ALIGNMENT_KEY = "general.alignment";
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final FileChannel channel;
    private final long fileSize;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> valueTypes;
    private final Map<String, GgufTensor> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, FileChannel channel, long fileSize, int version, Map<String, Object> metadata,
                     Map<String, GgufValueType> valueTypes, Map<String, GgufTensor> tensors, int alignment,
                     long dataOffset) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.valueTypes = Collections.unmodifiableMap(valueTypes);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /** Opens and parses the header of {@code path}; the tensor data is read later, per tensor. */
    public static GgufFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new GgufException("GGUF file not found: " + path);
        } catch (IOException e) {
            throw new GgufException("cannot open GGUF file " + path + ": " + e.getMessage(), e);
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static GgufFile parse(Path path, FileChannel ch) {
        long size;
        ByteBuffer buf;
        try {
            size = ch.size();
            buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE))
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new GgufException("cannot read GGUF file " + path + ": " + e.getMessage(), e);
        }
        Header h = new Header(path, buf, size);
        return h.read(ch);
    }

    /** Sequential reader of the header with bounds checks that name the truncation. */
    private static final class Header {
        final Path path;
        final ByteBuffer buf;
        final long fileSize;

        Header(Path path, ByteBuffer buf, long fileSize) {
            this.path = path;
            this.buf = buf;
            this.fileSize = fileSize;
        }

        GgufFile read(FileChannel ch) {
            if (fileSize < 4 || buf.getInt(0) != MAGIC) {
                throw new GgufException(path + " is not a GGUF file (no \"GGUF\" magic at its start)");
            }
            buf.position(4);
            int version = u32("version");
            if (version != 2 && version != 3) {
                if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                    throw new GgufException(path + " is a big-endian GGUF file; only little-endian files are "
                            + "supported");
                }
                throw new GgufException(path + " has GGUF version " + Integer.toUnsignedString(version)
                        + " (supported: 2 and 3)");
            }
            long tensorCount = u64("tensor count");
            long kvCount = u64("metadata count");
            // each metadata pair and tensor info takes at least 12 bytes, so larger counts mean a corrupt header
            if (tensorCount < 0 || kvCount < 0 || tensorCount > fileSize / 12 || kvCount > fileSize / 12) {
                throw new GgufException(path + " has an implausible header (" + Long.toUnsignedString(tensorCount)
                        + " tensors, " + Long.toUnsignedString(kvCount) + " metadata pairs in " + fileSize
                        + " bytes)");
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            Map<String, GgufValueType> types = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string("metadata key");
                GgufValueType type = GgufValueType.of(u32("value type of " + key));
                metadata.put(key, value(type, key));
                types.put(key, type);
            }
            int alignment = DEFAULT_ALIGNMENT;
            if (metadata.containsKey(ALIGNMENT_KEY)) {
                Object a = metadata.get(ALIGNMENT_KEY);
                if (!(a instanceof Long) || (Long) a <= 0 || Long.bitCount((Long) a) != 1 || (Long) a > 1 << 20) {
                    throw new GgufException(path + ": " + ALIGNMENT_KEY + " must be a power of two, got " + a);
                }
                alignment = (int) (long) (Long) a;
            }
            List<GgufTensor> infos = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = string("tensor name");
                int nDims = u32("dimension count of " + name);
                if (nDims < 1 || nDims > 4) {
                    throw new GgufException(path + ": tensor '" + name + "' has " + nDims + " dimensions (1 to 4)");
                }
                long[] dims = new long[nDims];
                for (int d = 0; d < nDims; d++) {
                    dims[d] = u64("dimension of " + name);
                    if (dims[d] <= 0) {
                        throw new GgufException(path + ": tensor '" + name + "' has dimension " + dims[d]);
                    }
                }
                int typeId = u32("type of " + name);
                GgmlType type;
                try {
                    type = GgmlType.of(typeId);
                } catch (GgufException e) {
                    throw new GgufException(path + ": tensor '" + name + "' has an unknown tensor type (ggml type id "
                            + typeId + ")");
                }
                long offset = u64("offset of " + name);
                if (dims[0] % type.blockSize() != 0) {
                    throw new GgufException(path + ": tensor '" + name + "' has " + dims[0] + " elements per row, "
                            + "not a multiple of the " + type + " block size " + type.blockSize());
                }
                if (offset % alignment != 0) {
                    throw new GgufException(path + ": tensor '" + name + "' starts at offset " + offset
                            + ", not a multiple of the alignment " + alignment);
                }
                infos.add(new GgufTensor(name, dims, type, offset));
            }
            long dataOffset = (buf.position() + (long) alignment - 1) / alignment * alignment;
            Map<String, GgufTensor> tensors = new LinkedHashMap<>();
            for (GgufTensor t : infos) {
                if (tensors.put(t.name(), t) != null) {
                    throw new GgufException(path + ": tensor '" + t.name() + "' appears twice");
                }
                long end = dataOffset + t.offset() + t.byteSize();
                if (end > fileSize) {
                    throw new GgufException(path + " is truncated: tensor '" + t.name() + "' ends at byte " + end
                            + " but the file has " + fileSize + " bytes");
                }
            }
            return new GgufFile(path, ch, fileSize, version, metadata, types, tensors, alignment, dataOffset);
        }

        private void need(int bytes, String what) {
            if (buf.remaining() < bytes) {
                throw new GgufException(path + " is truncated: the header ends inside the " + what + " (at byte "
                        + buf.position() + " of " + fileSize + ")");
            }
        }

        int u32(String what) {
            need(4, what);
            return buf.getInt();
        }

        long u64(String what) {
            need(8, what);
            return buf.getLong();
        }

        String string(String what) {
            long len = u64(what + " length");
            if (len < 0 || len > buf.remaining()) {
                throw new GgufException(path + " is truncated: the " + what + " needs " + Long.toUnsignedString(len)
                        + " bytes at byte " + buf.position() + " of " + fileSize);
            }
            ByteBuffer slice = buf.slice();
            slice.limit((int) len);
            buf.position(buf.position() + (int) len);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
            } catch (CharacterCodingException e) {
                throw new GgufException(path + ": the " + what + " is not valid UTF-8", e);
            }
        }

        Object value(GgufValueType type, String key) {
            String what = "value of " + key;
            try {
                switch (type) {
                    case UINT8: need(1, what); return (long) (buf.get() & 0xff);
                    case INT8: need(1, what); return (long) buf.get();
                    case UINT16: need(2, what); return (long) (buf.getShort() & 0xffff);
                    case INT16: need(2, what); return (long) buf.getShort();
                    case UINT32: return Integer.toUnsignedLong(u32(what));
                    case INT32: return (long) u32(what);
                    case UINT64: case INT64: return u64(what);
                    case FLOAT32: need(4, what); return buf.getFloat();
                    case FLOAT64: need(8, what); return buf.getDouble();
                    case BOOL: need(1, what); return buf.get() != 0;
                    case STRING: return string(what);
                    case ARRAY: return array(key);
                    default: throw new IllegalStateException(type.toString());
                }
            } catch (BufferUnderflowException e) {
                throw new GgufException(path + " is truncated inside the " + what, e);
            }
        }

        List<Object> array(String key) {
            GgufValueType element = GgufValueType.of(u32("array type of " + key));
            long n = u64("array length of " + key);
            if (n < 0 || n > buf.remaining()) {
                throw new GgufException(path + " is truncated: array " + key + " claims "
                        + Long.toUnsignedString(n) + " elements at byte " + buf.position() + " of " + fileSize);
            }
            List<Object> out = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) {
                out.add(value(element, key + "[" + i + "]"));
            }
            return Collections.unmodifiableList(out);
        }
    }

    public Path path() {
        return path;
    }

    /** Format version: 2 or 3. */
    public int version() {
        return version;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Data-section alignment in bytes (general.alignment, default 32). */
    public int alignment() {
        return alignment;
    }

    /** Absolute byte offset of the data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /** All metadata in file order. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public GgufValueType valueType(String key) {
        return valueTypes.get(key);
    }

    /** Tensor infos in file order. */
    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public String string(String key) {
        Object v = require(key);
        if (!(v instanceof String)) {
            throw new GgufException(path + ": metadata " + key + " is " + valueTypes.get(key) + ", not a string");
        }
        return (String) v;
    }

    public long integer(String key) {
        Object v = require(key);
        if (!(v instanceof Long)) {
            throw new GgufException(path + ": metadata " + key + " is " + valueTypes.get(key) + ", not an integer");
        }
        return (Long) v;
    }

    /** A float32/float64 (or integer) value as a double. */
    public double number(String key) {
        Object v = require(key);
        if (!(v instanceof Number)) {
            throw new GgufException(path + ": metadata " + key + " is " + valueTypes.get(key) + ", not a number");
        }
        return ((Number) v).doubleValue();
    }

    public boolean bool(String key, boolean dflt) {
        Object v = metadata.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean)) {
            throw new GgufException(path + ": metadata " + key + " is " + valueTypes.get(key) + ", not a bool");
        }
        return (Boolean) v;
    }

    public List<?> array(String key) {
        Object v = require(key);
        if (!(v instanceof List)) {
            throw new GgufException(path + ": metadata " + key + " is " + valueTypes.get(key) + ", not an array");
        }
        return (List<?>) v;
    }

    private Object require(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new GgufException(path + " has no metadata " + key);
        }
        return v;
    }

    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new GgufException(path + " has no tensor '" + name + "'");
        }
        return t;
    }

    /** The stored bytes of a tensor (memory-mapped, little-endian, read-only). */
    public ByteBuffer raw(GgufTensor t) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + t.offset(), t.byteSize())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new GgufException("cannot read tensor '" + t.name() + "' of " + path + ": " + e.getMessage(), e);
        }
    }

    /** The tensor as float32, row-major in {@link GgufTensor#shape()} order. */
    public float[] dequantize(String name) {
        GgufTensor t = tensor(name);
        if (!t.type().dequantizable()) {
            throw new GgufException(path + ": tensor '" + name + "' has type " + t.type()
                    + ", which claws cannot dequantize (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, "
                    + "Q4_K, Q5_K, Q6_K)");
        }
        if (t.elements() > Integer.MAX_VALUE - 8) {
            throw new GgufException(path + ": tensor '" + name + "' has " + t.elements()
                    + " elements, more than one Java array holds");
        }
        float[] out = new float[(int) t.elements()];
        Dequantizer.dequantize(t.type(), raw(t), out);
        return out;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only channel: nothing is lost
        }
    }
}

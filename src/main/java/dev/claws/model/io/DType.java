package dev.claws.model.io;

import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/** safetensors element types that claws reads as weights (all converted to float32 on load). */
public enum DType {
    F32(4, DataType.FLOAT32),
    BF16(2, DataType.BFLOAT16),
    F16(2, DataType.FLOAT16);

    private final int bytes;
    private final DataType djlType;

    DType(int bytes, DataType djlType) {
        this.bytes = bytes;
        this.djlType = djlType;
    }

    public int bytes() {
        return bytes;
    }

    public DataType djlType() {
        return djlType;
    }

    /** Parses a safetensors dtype name ("F32", "BF16", "F16") or a config.json torch_dtype ("float32", ...). */
    public static DType parse(String name) {
        switch (name.toUpperCase(Locale.ROOT)) {
            case "F32": case "FLOAT32": case "FLOAT": return F32;
            case "BF16": case "BFLOAT16": return BF16;
            case "F16": case "FLOAT16": case "HALF": return F16;
            default: throw new CheckpointException("unsupported tensor dtype '" + name + "' (supported: F32, BF16, F16)");
        }
    }

    /** The name config.json uses in torch_dtype. */
    public String torchName() {
        switch (this) {
            case F32: return "float32";
            case BF16: return "bfloat16";
            default: return "float16";
        }
    }
}

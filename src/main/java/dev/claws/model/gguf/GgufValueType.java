package dev.claws.model.gguf;

/** GGUF metadata value types (gguf.md, "gguf_metadata_value_type") with their ids. */
public enum GgufValueType {
    UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64;

    /** The type with this id (its ordinal), or a {@link GgufException}. */
    public static GgufValueType of(int id) {
        if (id < 0 || id >= values().length) {
            throw new GgufException("unknown GGUF metadata value type " + id);
        }
        return values()[id];
    }
}

package dev.claws.model.gguf;

import dev.claws.model.io.CheckpointException;

/** A GGUF file that cannot be read: truncated, corrupt, or using a type or architecture claws does not support. */
public final class GgufException extends CheckpointException {

    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}

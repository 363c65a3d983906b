package dev.claws.model.io;

/** A checkpoint directory or file that cannot be read or written: missing file, bad header, wrong shape, etc. */
public class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.claws.serve;

/** A serving request that cannot be carried out; {@link #kind()} says how the API reports it. */
public class ServeException extends RuntimeException {

    /** Why the request failed, in the terms of the error rules (DESIGN.md). */
    public enum Kind {
        /** No variant of that name is registered. */
        UNKNOWN_VARIANT,
        /** The variant is registered but not resident in memory, or it is loaded and the action needs it unloaded. */
        WRONG_STATE,
        /** The variant's request queue is full, or loading would exceed the memory budget. */
        OVERLOADED,
        /** The checkpoint or request given by the caller is unusable. */
        BAD_INPUT,
        /** The variant was unloaded while the request waited or ran. */
        UNLOADED
    }

    private final Kind kind;

    public ServeException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ServeException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

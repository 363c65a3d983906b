package dev.claws.model;

/** Why a generation ended. */
public enum StopReason {
    /** max_new_tokens reached. */
    LENGTH,
    /** a stop token (eos) was generated. */
    STOP_TOKEN,
    /** the caller's listener asked to stop (e.g. a stop sequence appeared in the text). */
    STOP_SEQUENCE,
    /** the cancellation check reported true. */
    CANCELLED
}

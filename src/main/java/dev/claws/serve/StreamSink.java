package dev.claws.serve;

/** Receives a streamed generation: text pieces as they become final, each with the token ids decoded since the last. */
@FunctionalInterface
public interface StreamSink {

    StreamSink NONE = (text, tokenIds) -> { };

    void onPiece(String text, long[] tokenIds);
}

package dev.claws.serve;

/**
 * Where the time of one served request went, in milliseconds of wall-clock time measured on the server.
 *
 * @param queueMs          waiting in the variant's queue before work started
 * @param prefillMs        from the start of work to the first generated token (Score: all forward passes)
 * @param decodeMs         from the first generated token to the last (0 for Score)
 * @param totalMs          from arrival of the request until the result was ready
 * @param tokensPerSecond  decode throughput: (generated - 1) / decode seconds; 0 with fewer than 2 tokens
 * @param promptTokens     tokens read (Score: context plus all continuations)
 * @param generatedTokens  tokens generated (0 for Score)
 */
public record RequestTiming(double queueMs, double prefillMs, double decodeMs, double totalMs, double tokensPerSecond,
                            int promptTokens, int generatedTokens) {

    static double millis(long nanos) {
        return nanos / 1e6;
    }
}

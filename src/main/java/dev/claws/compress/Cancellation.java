package dev.claws.compress;

import java.util.concurrent.CancellationException;

/** Cooperative cancellation: a compression stops at the next check once its thread is interrupted. */
final class Cancellation {

    private Cancellation() {
    }

    /** Throws when the current thread has been interrupted; the interrupt status stays set for the caller. */
    static void check() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("compression cancelled (thread interrupted)");
        }
    }
}

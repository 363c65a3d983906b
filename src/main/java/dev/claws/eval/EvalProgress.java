package dev.claws.eval;

/** Receives progress of a long evaluation, e.g. to publish job progress; called from the evaluating thread. */
@FunctionalInterface
public interface EvalProgress {
    EvalProgress NONE = (done, total) -> { };

    void update(long done, long total);
}

package dev.claws.jobs;

import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * What a running job's work sees of the runner: progress reporting, the cancellation check and, for works that store
 * results step by step (the study), transactions run where the worker's interruption cannot reach them.
 */
public final class JobContext {

    private final JobRunner runner;
    private final LiveJob job;
    private final double offset;
    private final double span;
    private final String stagePrefix;
    private final String messagePrefix;

    JobContext(JobRunner runner, LiveJob job) {
        this(runner, job, 0, 1, "", "");
    }

    private JobContext(JobRunner runner, LiveJob job, double offset, double span, String stagePrefix,
                       String messagePrefix) {
        this.runner = runner;
        this.job = job;
        this.offset = offset;
        this.span = span;
        this.stagePrefix = stagePrefix;
        this.messagePrefix = messagePrefix;
    }

    public long jobId() {
        return job.id;
    }

    /**
     * Reports progress (fraction clamped to [0, 1]) and checks for cancellation first, so a work that reports between
     * its steps stops promptly. In a {@link #part} the fraction is of that part, and the stage and message get its
     * prefixes.
     */
    public void progress(double fraction, String stage, String message) {
        checkCancelled();
        double own = Math.max(0, Math.min(1, fraction));
        runner.progress(job, offset + span * own, stagePrefix + stage, messagePrefix + message);
    }

    /**
     * A context for one part of the work: its fractions 0..1 cover {@code [from, to]} of this context's, and its stages
     * and messages start with the given prefixes (e.g. which study cell runs, and how many are done).
     */
    public JobContext part(double from, double to, String stagePrefix, String messagePrefix) {
        double lo = Math.max(0, Math.min(1, from));
        double hi = Math.max(lo, Math.min(1, to));
        return new JobContext(runner, job, offset + span * lo, span * (hi - lo), this.stagePrefix + stagePrefix,
                this.messagePrefix + messagePrefix);
    }

    /**
     * Runs {@code body} in a new transaction on the runner's commit thread and waits for it without being
     * interruptible, so a CancelJob that interrupts the worker never reaches a database call half-way. An exception of
     * the body is rethrown here.
     */
    public <T> T commit(Supplier<T> body) {
        return runner.commit(body);
    }

    /** Throws CancellationException when the job was cancelled or its thread interrupted (the flag is kept). */
    public void checkCancelled() {
        if (Thread.currentThread().isInterrupted() || job.cancelRequested()) {
            throw new CancellationException("job " + job.id + " was cancelled");
        }
    }

    /** True once cancellation was asked for; for loops that poll instead of throwing. */
    public boolean cancelled() {
        return Thread.currentThread().isInterrupted() || job.cancelRequested();
    }
}

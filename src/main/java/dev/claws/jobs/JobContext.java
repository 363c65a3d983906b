package dev.claws.jobs;

import java.util.concurrent.CancellationException;

/** What a running job's work sees of the runner: progress reporting and the cancellation check. */
public final class JobContext {

    private final JobRunner runner;
    private final LiveJob job;

    JobContext(JobRunner runner, LiveJob job) {
        this.runner = runner;
        this.job = job;
    }

    public long jobId() {
        return job.id;
    }

    /**
     * Reports progress (fraction clamped to [0, 1]) and checks for cancellation first, so a work that reports between
     * its steps stops promptly.
     */
    public void progress(double fraction, String stage, String message) {
        checkCancelled();
        runner.progress(job, Math.max(0, Math.min(1, fraction)), stage, message);
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

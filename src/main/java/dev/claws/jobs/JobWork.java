package dev.claws.jobs;

/**
 * The work of one job. {@link #run} does the long part (no database access: the worker thread may be interrupted by
 * CancelJob at any point of it) and returns what to store; the runner stores it in the transaction that marks the job
 * SUCCEEDED. When the job fails or is cancelled, {@link #discard} removes whatever the work left behind.
 */
public interface JobWork {

    JobOutcome run(JobContext context) throws Exception;

    /** Removes partial output; called once after a failure, cancellation or interruption. Must not throw. */
    default void discard() {
    }
}

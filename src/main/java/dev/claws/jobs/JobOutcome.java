package dev.claws.jobs;

/** Stores a finished job's results; called inside the transaction that marks the job SUCCEEDED. */
@FunctionalInterface
public interface JobOutcome {

    JobResultData store(long jobId);
}

package dev.claws.jobs;

/** Thrown by {@link JobRunner#submit} when claws.jobs.max-queued jobs are already waiting. */
public final class JobQueueFullException extends RuntimeException {

    public JobQueueFullException(String message) {
        super(message);
    }
}

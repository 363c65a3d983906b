package dev.claws.jobs;

import dev.claws.store.Job;

/**
 * Builds the work of a stored job from its stored request (job.request_json). Implemented by the API layer, which owns
 * the request format; called when the job starts, so a job queued before a restart is rebuilt the same way. It may read
 * the database (it runs before the interruptible part); an exception fails the job with its message.
 */
public interface JobCatalog {

    JobWork workFor(Job job);
}

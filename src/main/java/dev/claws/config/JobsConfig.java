package dev.claws.config;

import io.smallrye.config.ConfigMapping;

/** {@code claws.jobs.*}: the job queue (compression, recovery, evaluation, benchmark). */
@ConfigMapping(prefix = "claws.jobs")
public interface JobsConfig {

    /** {@code claws.jobs.concurrency}: jobs running at once, 1 to 64. */
    int concurrency();

    /** {@code claws.jobs.max-queued}: jobs that may wait; beyond that Submit* answers RESOURCE_EXHAUSTED. At least 0. */
    int maxQueued();

    /** {@code claws.jobs.cancel-wait-ms}: how long CancelJob waits for a running job to stop, in ms; at least 0. */
    long cancelWaitMs();
}

package dev.claws.jobs;

import dev.claws.store.JobEntity;

/** Follows one job: receives a detached snapshot on each change; {@code last} is true for the final event. */
@FunctionalInterface
public interface JobListener {

    void onEvent(JobEntity snapshot, boolean last);
}

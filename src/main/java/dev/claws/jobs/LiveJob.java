package dev.claws.jobs;

import dev.claws.store.JobEntity;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;

/** In-memory state of a job this server has queued or is running. Fields are guarded by the object's monitor. */
final class LiveJob {

    /**
     * Where a live job is in its lifecycle; {@link #moveTo} refuses any other transition. The stored state
     * ({@link JobEntity.State}) follows from it: QUEUED and RUNNING are stored as they are, CANCELLING ends CANCELLED,
     * STORING ends SUCCEEDED (or FAILED when storing fails), FINISHED holds the stored final state.
     */
    enum Phase {
        /** Waiting for an executor thread. */
        QUEUED,
        /** The executor picked it up: building its work, then running it. */
        RUNNING,
        /** Cancellation was asked for; the worker stops at its next step. */
        CANCELLING,
        /** The work finished and its results are being stored; cancellation no longer applies. */
        STORING,
        /** Its final state is stored and published; nothing changes any more. */
        FINISHED;

        private Set<Phase> next() {
            return switch (this) {
                case QUEUED -> EnumSet.of(RUNNING, CANCELLING, FINISHED);
                case RUNNING -> EnumSet.of(CANCELLING, STORING, FINISHED);
                case CANCELLING, STORING -> EnumSet.of(FINISHED);
                case FINISHED -> EnumSet.noneOf(Phase.class);
            };
        }

        boolean canMoveTo(Phase target) {
            return next().contains(target);
        }
    }

    final long id;
    final CountDownLatch done = new CountDownLatch(1);
    final List<JobListener> listeners = new ArrayList<>();
    /** Latest snapshot (a detached copy of the row, replaced on each change). */
    JobEntity snapshot;
    Future<?> future;
    private Phase phase = Phase.QUEUED;
    /** Set only while the work's interruptible part runs. */
    Thread worker;
    long lastPersistNanos;
    String lastPersistedStage;

    LiveJob(JobEntity snapshot) {
        this.id = snapshot.id;
        this.snapshot = snapshot;
    }

    synchronized Phase phase() {
        return phase;
    }

    /** Moves to {@code target}; an illegal transition is a bug in the runner. */
    synchronized void moveTo(Phase target) {
        if (!phase.canMoveTo(target)) {
            throw new IllegalStateException("job " + id + " cannot go from " + phase + " to " + target);
        }
        phase = target;
    }

    synchronized boolean cancelRequested() {
        return phase == Phase.CANCELLING;
    }

    synchronized JobEntity.State state() {
        return snapshot.state;
    }
}

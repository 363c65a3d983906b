package dev.claws.jobs;

import dev.claws.store.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;

/** In-memory state of a job this server has queued or is running. Fields are guarded by the object's monitor. */
final class LiveJob {

    final long id;
    final CountDownLatch done = new CountDownLatch(1);
    final List<JobListener> listeners = new ArrayList<>();
    /** Latest snapshot (a detached copy of the row, replaced on each change). */
    Job snapshot;
    Future<?> future;
    /** The executor picked the job up. */
    boolean started;
    /** Set only while the work's interruptible part runs. */
    Thread worker;
    boolean cancelRequested;
    /** The work finished and its results are being stored; cancellation no longer applies. */
    boolean finishing;
    boolean finished;
    long lastPersistNanos;
    String lastPersistedStage;

    LiveJob(Job snapshot) {
        this.id = snapshot.id;
        this.snapshot = snapshot;
    }

    synchronized boolean cancelRequested() {
        return cancelRequested;
    }

    synchronized Job.State state() {
        return snapshot.state;
    }
}

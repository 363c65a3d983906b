package dev.claws.jobs;

import dev.claws.model.io.FileTrees;
import dev.claws.store.Job;
import dev.claws.store.JobRepository;
import dev.claws.store.StoredTime;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs jobs durably: every job is a row of the job table, every state change is committed in its own transaction, and
 * at most claws.jobs.concurrency jobs run at once (default 1, so inference keeps its cores). Progress is pushed to
 * watchers at once and written to the row at most every {@value #PERSIST_INTERVAL_MS} ms (and on each stage change).
 *
 * <p>Cancellation sets a flag and interrupts the worker thread while the work's long part runs; the work checks
 * between its steps, the runner then removes partial output and marks the job CANCELLED. Database writes happen only
 * outside that interruptible window (an interrupted JDBC call could close the database file).
 *
 * <p>At start-up, rows left RUNNING by a server that stopped become INTERRUPTED (their partial output is removed) and
 * rows left QUEUED are queued again in submission order.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    static final long PERSIST_INTERVAL_MS = 1000;
    static final String INTERRUPTED_REASON = "the server stopped while the job was running; its partial output was"
            + " removed. Submit the job again to redo it";
    static final String RESUMED_MESSAGE = "the server stopped while the study was running; queued again, it resumes"
            + " after its last finished step";

    @Inject
    JobRepository jobs;

    @Inject
    JobCatalog catalog;

    @Inject
    JobResultEncoder encoder;

    @Inject
    JobPaths paths;

    @ConfigProperty(name = "claws.jobs.concurrency", defaultValue = "1")
    int concurrency;

    @ConfigProperty(name = "claws.jobs.max-queued", defaultValue = "100")
    int maxQueued;

    @ConfigProperty(name = "claws.jobs.cancel-wait-ms", defaultValue = "10000")
    long cancelWaitMs;

    private final Map<Long, LiveJob> live = new ConcurrentHashMap<>();
    private ThreadPoolExecutor executor;
    private ExecutorService progressWriter;
    private ExecutorService committer;
    private volatile boolean stopping;

    @PostConstruct
    void init() {
        if (concurrency < 1 || concurrency > 64) {
            throw new IllegalArgumentException("claws.jobs.concurrency must be between 1 and 64, got " + concurrency);
        }
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, "claws-job-" + n.incrementAndGet()));
        progressWriter = Executors.newSingleThreadExecutor(r -> daemon(r, "claws-job-progress"));
        committer = Executors.newSingleThreadExecutor(r -> daemon(r, "claws-job-commit"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void onStart(@Observes StartupEvent event) {
        Recovery recovery = recover();
        if (recovery.interrupted() + recovery.requeued() + recovery.partialsRemoved() > 0) {
            LOG.infof("jobs at start-up: %d marked INTERRUPTED, %d queued again, %d partial output director(ies) removed",
                    recovery.interrupted(), recovery.requeued(), recovery.partialsRemoved());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        executor.getQueue().clear(); // queued jobs stay QUEUED in the table and are queued again at the next start
        for (LiveJob job : live.values()) {
            synchronized (job) {
                if (job.worker != null) {
                    job.worker.interrupt();
                }
            }
        }
        executor.shutdown();
        try {
            executor.awaitTermination(cancelWaitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        progressWriter.shutdown();
        committer.shutdown();
    }

    /** What {@link #recover()} did. */
    public record Recovery(int interrupted, int requeued, int partialsRemoved) {
    }

    /**
     * Marks RUNNING rows that this server is not running as INTERRUPTED, removes partial output directories of jobs
     * not running here, and queues QUEUED rows that are not queued here. Runs at start-up; safe to call again.
     */
    public Recovery recover() {
        List<Job> orphans = QuarkusTransaction.requiringNew().call(() -> jobs.list("state", Sort.by("id"),
                Job.State.RUNNING).stream().filter(row -> !live.containsKey(row.id)).map(JobRunner::copy).toList());
        int interrupted = 0;
        for (Job orphan : orphans) {
            long id = orphan.id;
            if (orphan.kind == Job.Kind.STUDY) {
                // a study keeps every finished step; queued again, it goes on where it stopped
                QuarkusTransaction.requiringNew().call(() -> jobs.update(
                        "state = ?1, stage = ?2, message = ?3 where id = ?4 and state = ?5", Job.State.QUEUED,
                        "queued", RESUMED_MESSAGE, id, Job.State.RUNNING));
                continue;
            }
            interrupted += QuarkusTransaction.requiringNew().call(() -> jobs.update(
                    "state = ?1, error = ?2, finished = ?3, message = ?4 where id = ?5 and state = ?6",
                    Job.State.INTERRUPTED, INTERRUPTED_REASON, StoredTime.now(), "interrupted", id, Job.State.RUNNING));
        }
        int partials = removeOrphanPartials();
        List<Job> queued = QuarkusTransaction.requiringNew().call(() -> jobs.list("state", Sort.by("id"),
                Job.State.QUEUED).stream().filter(row -> !live.containsKey(row.id)).map(JobRunner::copy).toList());
        queued.forEach(this::enqueue);
        return new Recovery(interrupted, queued.size(), partials);
    }

    private int removeOrphanPartials() {
        Path dir = paths.variantsDir();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, JobPaths.PARTIAL_PREFIX + "*")) {
            for (Path entry : entries) {
                Long owner = JobPaths.partialOwner(entry);
                if (owner == null || !live.containsKey(owner)) {
                    FileTrees.deleteQuietly(entry);
                    removed++;
                }
            }
        } catch (IOException e) {
            LOG.warnf(e, "could not list %s for partial output", dir);
        }
        return removed;
    }

    /**
     * Stores a new QUEUED job and queues it. The request must have been validated by the caller.
     *
     * @throws JobQueueFullException when claws.jobs.max-queued jobs are waiting already
     */
    public synchronized Job submit(Job.Kind kind, String requestJson) {
        long waiting = live.values().stream().filter(j -> j.state() == Job.State.QUEUED).count();
        if (waiting >= maxQueued) {
            throw new JobQueueFullException(waiting + " jobs are queued already (claws.jobs.max-queued = " + maxQueued
                    + "); try again when some have finished");
        }
        Job stored = QuarkusTransaction.requiringNew().call(() -> {
            Job row = new Job();
            row.kind = kind;
            row.state = Job.State.QUEUED;
            row.stage = "queued";
            row.requestJson = requestJson;
            jobs.persist(row);
            return copy(row);
        });
        enqueue(stored);
        return stored;
    }

    private void enqueue(Job snapshot) {
        LiveJob job = new LiveJob(snapshot);
        live.put(job.id, job);
        synchronized (job) {
            job.future = executor.submit(() -> execute(job));
        }
    }

    /** The current snapshot: live when this server queued or runs the job, else from the table. */
    public Optional<Job> find(long id) {
        LiveJob job = live.get(id);
        if (job != null) {
            synchronized (job) {
                return Optional.of(job.snapshot);
            }
        }
        return QuarkusTransaction.requiringNew().call(() -> jobs.findByIdOptional(id).map(JobRunner::copy));
    }

    /**
     * Follows a job: the listener gets the current snapshot at once, then one per change; the event for a final state
     * is the last. A job this server does not run (finished, or run by another replica) gives one event, the last.
     *
     * @return false when the job does not exist
     */
    public boolean watch(long id, JobListener listener) {
        LiveJob job = live.get(id);
        if (job != null) {
            synchronized (job) {
                listener.onEvent(job.snapshot, job.finished);
                if (!job.finished) {
                    job.listeners.add(listener);
                }
                return true;
            }
        }
        Optional<Job> stored = QuarkusTransaction.requiringNew().call(() -> jobs.findByIdOptional(id).map(JobRunner::copy));
        stored.ifPresent(row -> listener.onEvent(row, true));
        return stored.isPresent();
    }

    public void unwatch(long id, JobListener listener) {
        LiveJob job = live.get(id);
        if (job != null) {
            synchronized (job) {
                job.listeners.remove(listener);
            }
        }
    }

    /**
     * Cancels a queued or running job and waits up to claws.jobs.cancel-wait-ms for it to stop; returns the job as it
     * is then (CANCELLED, or unchanged when it had finished already). Empty when the job does not exist.
     */
    public Optional<Job> cancel(long id) {
        LiveJob job = live.get(id);
        if (job != null) {
            boolean queued;
            synchronized (job) {
                queued = !job.started && !job.finished;
                if (!job.finishing && !job.finished) {
                    job.cancelRequested = true;
                    if (job.worker != null) {
                        job.worker.interrupt();
                    }
                }
            }
            if (queued) {
                if (job.future instanceof Runnable task) {
                    executor.remove(task);
                }
                Job done = QuarkusTransaction.requiringNew().call(() -> {
                    Job row = jobs.findById(id);
                    if (row.state == Job.State.QUEUED) {
                        row.state = Job.State.CANCELLED;
                        row.stage = "cancelled";
                        row.message = "cancelled before it started";
                        row.finished = StoredTime.now();
                    }
                    return copy(row);
                });
                finish(job, done);
                return Optional.of(done);
            }
            try {
                if (!job.done.await(cancelWaitMs, TimeUnit.MILLISECONDS)) {
                    LOG.warnf("job %d did not stop within %d ms of its cancellation; it will be marked CANCELLED"
                            + " when its current step ends", id, cancelWaitMs);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return find(id);
        }
        return QuarkusTransaction.requiringNew().call(() -> jobs.findByIdOptional(id).map(row -> {
            if (!row.state.isFinal()) {
                // a row no live runner owns (its server stopped before the start-up sweep): nothing runs it
                row.state = Job.State.CANCELLED;
                row.stage = "cancelled";
                row.finished = StoredTime.now();
            }
            return copy(row);
        }));
    }

    /** Ids of the jobs this server has queued or is running. */
    public List<Long> liveJobIds() {
        return new ArrayList<>(live.keySet());
    }

    private void execute(LiveJob job) {
        synchronized (job) {
            if (job.cancelRequested || stopping) {
                return; // cancelled while queued (cancel() marks it) or the server is stopping (stays QUEUED)
            }
            job.started = true;
        }
        JobWork work = null;
        try {
            Job running = QuarkusTransaction.requiringNew().call(() -> {
                Job row = jobs.findById(job.id);
                if (row == null || row.state != Job.State.QUEUED) {
                    return null;
                }
                row.state = Job.State.RUNNING;
                row.started = StoredTime.now();
                row.stage = "starting";
                row.message = null;
                return copy(row);
            });
            if (running == null) {
                finish(job, find(job.id).orElse(job.snapshot));
                return;
            }
            publish(job, running);
            work = catalog.workFor(running);
            synchronized (job) {
                if (job.cancelRequested) {
                    throw new CancellationException("job " + job.id + " was cancelled");
                }
                job.worker = Thread.currentThread();
            }
            JobOutcome outcome;
            try {
                outcome = work.run(new JobContext(this, job));
            } finally {
                synchronized (job) {
                    job.worker = null;
                }
            }
            String lastMessage;
            synchronized (job) {
                if (job.cancelRequested) {
                    throw new CancellationException("job " + job.id + " was cancelled");
                }
                job.finishing = true;
                lastMessage = job.snapshot.message;
            }
            Thread.interrupted(); // an interrupt that raced the end of run() must not reach the database
            Job succeeded = QuarkusTransaction.requiringNew().call(() -> {
                JobResultData result = outcome.store(job.id);
                Job row = jobs.findById(job.id);
                row.state = Job.State.SUCCEEDED;
                row.progress = 1;
                row.stage = "done";
                // progress is persisted asynchronously and only while RUNNING: the work's last word is stored here
                row.message = lastMessage;
                row.resultJson = encoder.encode(result);
                row.finished = StoredTime.now();
                return copy(row);
            });
            finish(job, succeeded);
        } catch (Throwable t) {
            Thread.interrupted();
            end(job, work, t);
        }
    }

    private void end(LiveJob job, JobWork work, Throwable t) {
        if (work != null) {
            try {
                work.discard();
            } catch (RuntimeException e) {
                LOG.errorf(e, "job %d: removing partial output failed", job.id);
            }
        }
        boolean cancelled;
        synchronized (job) {
            cancelled = job.cancelRequested;
        }
        Job.State state;
        String error;
        if (cancelled) {
            state = Job.State.CANCELLED;
            error = null;
        } else if (stopping && job.snapshot.kind == Job.Kind.STUDY) {
            state = Job.State.QUEUED; // resumes at the next start (see recover())
            error = null;
        } else if (stopping) {
            state = Job.State.INTERRUPTED;
            error = INTERRUPTED_REASON;
        } else {
            state = Job.State.FAILED;
            error = describe(t);
            LOG.warnf(t, "job %d failed", job.id);
        }
        try {
            Job ended = QuarkusTransaction.requiringNew().call(() -> {
                Job row = jobs.findById(job.id);
                row.state = state;
                row.error = error == null ? null : truncate(error, 16384);
                row.stage = state.name().toLowerCase(java.util.Locale.ROOT);
                if (state == Job.State.QUEUED) {
                    row.message = RESUMED_MESSAGE;
                } else {
                    row.finished = StoredTime.now();
                }
                return copy(row);
            });
            finish(job, ended);
        } catch (RuntimeException e) {
            LOG.errorf(e, "job %d: could not store its final state %s", job.id, state);
            Job fallback;
            synchronized (job) {
                fallback = copy(job.snapshot);
            }
            fallback.state = state;
            fallback.error = error;
            finish(job, fallback);
        }
    }

    /** Runs a transaction for {@link JobContext#commit}: on the commit thread, waited for without interruption. */
    <T> T commit(java.util.function.Supplier<T> body) {
        java.util.concurrent.Future<T> future = committer.submit(() -> QuarkusTransaction.requiringNew().call(body::get));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Called from the working thread through {@link JobContext#progress}. */
    void progress(LiveJob job, double fraction, String stage, String message) {
        boolean persist;
        synchronized (job) {
            Job next = copy(job.snapshot);
            next.progress = fraction;
            next.stage = truncate(stage, 256);
            next.message = truncate(message, 4096);
            long now = System.nanoTime();
            persist = !java.util.Objects.equals(stage, job.lastPersistedStage)
                    || now - job.lastPersistNanos >= TimeUnit.MILLISECONDS.toNanos(PERSIST_INTERVAL_MS);
            if (persist) {
                job.lastPersistNanos = now;
                job.lastPersistedStage = stage;
            }
            publishLocked(job, next);
        }
        if (persist) {
            persistProgress(job.id, fraction, truncate(stage, 256), truncate(message, 4096));
        }
    }

    private void persistProgress(long id, double fraction, String stage, String message) {
        try {
            progressWriter.execute(() -> {
                try {
                    QuarkusTransaction.requiringNew().run(() -> jobs.update(
                            "progress = ?1, stage = ?2, message = ?3 where id = ?4 and state = ?5",
                            fraction, stage, message, id, Job.State.RUNNING));
                } catch (RuntimeException e) {
                    LOG.debugf(e, "job %d: progress not stored", id);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the final state is what matters
        }
    }

    private void publish(LiveJob job, Job snapshot) {
        synchronized (job) {
            publishLocked(job, snapshot);
        }
    }

    private void publishLocked(LiveJob job, Job snapshot) {
        job.snapshot = snapshot;
        for (JobListener listener : List.copyOf(job.listeners)) {
            notify(listener, snapshot, false);
        }
    }

    private void finish(LiveJob job, Job snapshot) {
        synchronized (job) {
            if (job.finished) {
                return;
            }
            job.snapshot = snapshot;
            job.finished = true;
            for (JobListener listener : job.listeners) {
                notify(listener, snapshot, true);
            }
            job.listeners.clear();
        }
        live.remove(job.id, job);
        job.done.countDown();
    }

    private static void notify(JobListener listener, Job snapshot, boolean last) {
        try {
            listener.onEvent(snapshot, last);
        } catch (RuntimeException e) {
            LOG.debugf(e, "job listener failed");
        }
    }

    static String describe(Throwable t) {
        StringBuilder out = new StringBuilder();
        Throwable cause = t;
        for (int depth = 0; cause != null && depth < 4; depth++, cause = cause.getCause()) {
            String text = cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage();
            if (out.indexOf(text) < 0) {
                out.append(out.length() == 0 ? "" : "; caused by ").append(text);
            }
        }
        return out.toString();
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    /** A detached copy of a row, safe to hand to other threads. */
    static Job copy(Job row) {
        Job c = new Job();
        c.id = row.id;
        c.kind = row.kind;
        c.state = row.state;
        c.progress = row.progress;
        c.stage = row.stage;
        c.message = row.message;
        c.error = row.error;
        c.requestJson = row.requestJson;
        c.resultJson = row.resultJson;
        c.created = row.created;
        c.started = row.started;
        c.finished = row.finished;
        return c;
    }
}

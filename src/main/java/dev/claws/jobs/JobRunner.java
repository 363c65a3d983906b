package dev.claws.jobs;

import dev.claws.model.io.FileTrees;
import dev.claws.store.JobEntity;
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
import dev.claws.config.JobsConfig;
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
    JobWorks works;

    @Inject
    JobPaths paths;

    @Inject
    JobsConfig config;

    private final Map<Long, LiveJob> live = new ConcurrentHashMap<>();
    private ThreadPoolExecutor executor;
    private ExecutorService progressWriter;
    private ExecutorService committer;
    private volatile boolean stopping;

    @PostConstruct
    void init() {
        int concurrency = config.concurrency();
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
            executor.awaitTermination(config.cancelWaitMs(), TimeUnit.MILLISECONDS);
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
        List<JobEntity> orphans = QuarkusTransaction.requiringNew().call(() -> jobs.list("state", Sort.by("id"),
                JobEntity.State.RUNNING).stream().filter(row -> !live.containsKey(row.id)).map(JobRunner::copy).toList());
        int interrupted = 0;
        for (JobEntity orphan : orphans) {
            long id = orphan.id;
            if (orphan.kind == JobEntity.Kind.STUDY) {
                // a study keeps every finished step; queued again, it goes on where it stopped
                QuarkusTransaction.requiringNew().call(() -> jobs.update(
                        "state = ?1, stage = ?2, message = ?3 where id = ?4 and state = ?5", JobEntity.State.QUEUED,
                        "queued", RESUMED_MESSAGE, id, JobEntity.State.RUNNING));
                continue;
            }
            interrupted += QuarkusTransaction.requiringNew().call(() -> jobs.update(
                    "state = ?1, error = ?2, finished = ?3, message = ?4 where id = ?5 and state = ?6",
                    JobEntity.State.INTERRUPTED, INTERRUPTED_REASON, StoredTime.now(), "interrupted", id, JobEntity.State.RUNNING));
        }
        int partials = removeOrphanPartials();
        List<JobEntity> queued = QuarkusTransaction.requiringNew().call(() -> jobs.list("state", Sort.by("id"),
                JobEntity.State.QUEUED).stream().filter(row -> !live.containsKey(row.id)).map(JobRunner::copy).toList());
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
     * Stores a new QUEUED job and queues it.
     *
     * @param spec        the validated request; stored as JSON and read back when the job starts
     * @param requestJson the request as the caller sent it (with defaults filled in), stored for display only
     * @throws JobQueueFullException when claws.jobs.max-queued jobs are waiting already
     */
    public synchronized JobEntity submit(JobSpec spec, String requestJson) {
        long waiting = live.values().stream().filter(j -> j.state() == JobEntity.State.QUEUED).count();
        if (waiting >= config.maxQueued()) {
            throw new JobQueueFullException(waiting + " jobs are queued already (claws.jobs.max-queued = "
                    + config.maxQueued()
                    + "); try again when some have finished");
        }
        JobEntity stored = QuarkusTransaction.requiringNew().call(() -> {
            JobEntity row = new JobEntity();
            row.kind = spec.kind();
            row.state = JobEntity.State.QUEUED;
            row.stage = "queued";
            row.requestJson = requestJson;
            row.specJson = JobJson.spec(spec);
            jobs.persist(row);
            return copy(row);
        });
        enqueue(stored);
        return stored;
    }

    private void enqueue(JobEntity snapshot) {
        LiveJob job = new LiveJob(snapshot);
        live.put(job.id, job);
        synchronized (job) {
            job.future = executor.submit(() -> execute(job));
        }
    }

    /** The current snapshot: live when this server queued or runs the job, else from the table. */
    public Optional<JobEntity> find(long id) {
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
                boolean finished = job.phase() == LiveJob.Phase.FINISHED;
                listener.onEvent(job.snapshot, finished);
                if (!finished) {
                    job.listeners.add(listener);
                }
                return true;
            }
        }
        Optional<JobEntity> stored = QuarkusTransaction.requiringNew().call(() -> jobs.findByIdOptional(id).map(JobRunner::copy));
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
    public Optional<JobEntity> cancel(long id) {
        LiveJob job = live.get(id);
        if (job != null) {
            boolean queued;
            synchronized (job) {
                LiveJob.Phase phase = job.phase();
                queued = phase == LiveJob.Phase.QUEUED;
                if (phase == LiveJob.Phase.QUEUED || phase == LiveJob.Phase.RUNNING) {
                    job.moveTo(LiveJob.Phase.CANCELLING);
                    if (job.worker != null) {
                        job.worker.interrupt();
                    }
                }
            }
            if (queued) {
                if (job.future instanceof Runnable task) {
                    executor.remove(task);
                }
                JobEntity done = QuarkusTransaction.requiringNew().call(() -> {
                    JobEntity row = jobs.findById(id);
                    if (row.state == JobEntity.State.QUEUED) {
                        row.state = JobEntity.State.CANCELLED;
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
                long cancelWaitMs = config.cancelWaitMs();
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
                row.state = JobEntity.State.CANCELLED;
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
            if (job.phase() != LiveJob.Phase.QUEUED || stopping) {
                return; // cancelled while queued (cancel() marks it) or the server is stopping (stays QUEUED)
            }
            job.moveTo(LiveJob.Phase.RUNNING);
        }
        JobWork work = null;
        try {
            JobEntity running = QuarkusTransaction.requiringNew().call(() -> {
                JobEntity row = jobs.findById(job.id);
                if (row == null || row.state != JobEntity.State.QUEUED) {
                    return null;
                }
                row.state = JobEntity.State.RUNNING;
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
            work = works.workFor(spec(running));
            synchronized (job) {
                if (job.cancelRequested()) {
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
                if (job.cancelRequested()) {
                    throw new CancellationException("job " + job.id + " was cancelled");
                }
                job.moveTo(LiveJob.Phase.STORING);
                lastMessage = job.snapshot.message;
            }
            Thread.interrupted(); // an interrupt that raced the end of run() must not reach the database
            JobEntity succeeded = QuarkusTransaction.requiringNew().call(() -> {
                JobResultData result = outcome.store(job.id);
                JobEntity row = jobs.findById(job.id);
                row.state = JobEntity.State.SUCCEEDED;
                row.progress = 1;
                row.stage = "done";
                // progress is persisted asynchronously and only while RUNNING: the work's last word is stored here
                row.message = lastMessage;
                row.resultJson = JobJson.result(result);
                row.finished = StoredTime.now();
                return copy(row);
            });
            finish(job, succeeded);
        } catch (Throwable t) {
            Thread.interrupted();
            end(job, work, t);
        }
    }

    /** The stored spec of a row; rows queued by a version before specs were stored have none. */
    private static JobSpec spec(JobEntity row) {
        if (row.specJson == null) {
            throw new IllegalStateException("job " + row.id + " was queued by an older claws version that stored only"
                    + " the wire request; submit it again");
        }
        return JobJson.spec(row.specJson);
    }

    private void end(LiveJob job, JobWork work, Throwable t) {
        if (work != null) {
            try {
                work.discard();
            } catch (RuntimeException e) {
                LOG.errorf(e, "job %d: removing partial output failed", job.id);
            }
        }
        boolean cancelled = job.cancelRequested();
        JobEntity.State state;
        String error;
        if (cancelled) {
            state = JobEntity.State.CANCELLED;
            error = null;
        } else if (stopping && job.snapshot.kind == JobEntity.Kind.STUDY) {
            state = JobEntity.State.QUEUED; // resumes at the next start (see recover())
            error = null;
        } else if (stopping) {
            state = JobEntity.State.INTERRUPTED;
            error = INTERRUPTED_REASON;
        } else {
            state = JobEntity.State.FAILED;
            error = describe(t);
            LOG.warnf(t, "job %d failed", job.id);
        }
        try {
            JobEntity ended = QuarkusTransaction.requiringNew().call(() -> {
                JobEntity row = jobs.findById(job.id);
                row.state = state;
                row.error = error == null ? null : truncate(error, 16384);
                row.stage = state.name().toLowerCase(java.util.Locale.ROOT);
                if (state == JobEntity.State.QUEUED) {
                    row.message = RESUMED_MESSAGE;
                } else {
                    row.finished = StoredTime.now();
                }
                return copy(row);
            });
            finish(job, ended);
        } catch (RuntimeException e) {
            LOG.errorf(e, "job %d: could not store its final state %s", job.id, state);
            JobEntity fallback;
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
            JobEntity next = copy(job.snapshot);
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
                            fraction, stage, message, id, JobEntity.State.RUNNING));
                } catch (RuntimeException e) {
                    LOG.debugf(e, "job %d: progress not stored", id);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the final state is what matters
        }
    }

    private void publish(LiveJob job, JobEntity snapshot) {
        synchronized (job) {
            publishLocked(job, snapshot);
        }
    }

    private void publishLocked(LiveJob job, JobEntity snapshot) {
        job.snapshot = snapshot;
        for (JobListener listener : List.copyOf(job.listeners)) {
            notify(listener, snapshot, false);
        }
    }

    private void finish(LiveJob job, JobEntity snapshot) {
        synchronized (job) {
            if (job.phase() == LiveJob.Phase.FINISHED) {
                return;
            }
            job.moveTo(LiveJob.Phase.FINISHED);
            job.snapshot = snapshot;
            for (JobListener listener : job.listeners) {
                notify(listener, snapshot, true);
            }
            job.listeners.clear();
        }
        live.remove(job.id, job);
        job.done.countDown();
    }

    private static void notify(JobListener listener, JobEntity snapshot, boolean last) {
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
    static JobEntity copy(JobEntity row) {
        JobEntity c = new JobEntity();
        c.id = row.id;
        c.kind = row.kind;
        c.state = row.state;
        c.progress = row.progress;
        c.stage = row.stage;
        c.message = row.message;
        c.error = row.error;
        c.requestJson = row.requestJson;
        c.specJson = row.specJson;
        c.resultJson = row.resultJson;
        c.created = row.created;
        c.started = row.started;
        c.finished = row.finished;
        return c;
    }
}

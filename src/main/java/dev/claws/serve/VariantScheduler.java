package dev.claws.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * The request queue of one variant: a fixed number of workers and a bounded queue in front of them. A full queue
 * refuses new work at once (OVERLOADED); each variant has its own scheduler, so variants never wait for each other.
 * Work cancelled while it waits leaves the queue immediately.
 */
final class VariantScheduler {

    private final String variant;
    private final int capacity;
    private final ThreadPoolExecutor pool;
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean closing;

    VariantScheduler(String variant, int concurrency, int capacity) {
        if (concurrency < 1 || capacity < 1) {
            throw new IllegalArgumentException("claws.serve.concurrency and claws.serve.queue-capacity must be >= 1, got "
                    + concurrency + " and " + capacity);
        }
        this.variant = variant;
        this.capacity = capacity;
        AtomicInteger threadNumber = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(capacity), runnable -> {
                    Thread t = new Thread(runnable, "claws-serve-" + variant + "-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Queues {@code work}, which receives the nanoseconds it waited. Cancelling the returned future before the work
     * starts removes it from the queue; once started, the work itself must watch for cancellation.
     *
     * @throws ServeException OVERLOADED when the queue is full, UNLOADED when the variant is being unloaded
     */
    <T> CompletableFuture<T> submit(LongFunction<T> work) {
        if (closing) {
            throw unloaded();
        }
        Job<T> job = new Job<>(work, System.nanoTime());
        try {
            pool.execute(job);
        } catch (RejectedExecutionException e) {
            if (closing) {
                throw unloaded();
            }
            throw new ServeException(ServeException.Kind.OVERLOADED, "the request queue of variant '" + variant
                    + "' is full (" + capacity + " waiting, claws.serve.queue-capacity); retry later");
        }
        job.result.whenComplete((value, error) -> {
            if (error instanceof CancellationException) {
                pool.remove(job);
            }
        });
        return job.result;
    }

    int queueDepth() {
        return pool.getQueue().size();
    }

    int running() {
        return running.get();
    }

    boolean closing() {
        return closing;
    }

    /**
     * Refuses new work, fails the queued work with UNLOADED and waits for running work to end (running work sees
     * {@link #closing()} and stops at its next token).
     */
    void close(long timeoutMillis) {
        closing = true;
        List<Runnable> queued = new ArrayList<>();
        pool.getQueue().drainTo(queued);
        for (Runnable r : queued) {
            ((Job<?>) r).result.completeExceptionally(unloaded());
        }
        pool.shutdown();
        try {
            pool.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ServeException unloaded() {
        return new ServeException(ServeException.Kind.UNLOADED, "variant '" + variant + "' was unloaded");
    }

    /** One queued piece of work and its result. */
    private final class Job<T> implements Runnable {
        final LongFunction<T> work;
        final long enqueuedAt;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Job(LongFunction<T> work, long enqueuedAt) {
            this.work = work;
            this.enqueuedAt = enqueuedAt;
        }

        @Override
        public void run() {
            if (result.isDone()) {
                return; // cancelled while it waited
            }
            running.incrementAndGet();
            try {
                result.complete(work.apply(System.nanoTime() - enqueuedAt));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                running.decrementAndGet();
            }
        }
    }
}

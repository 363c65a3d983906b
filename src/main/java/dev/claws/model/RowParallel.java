package dev.claws.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a range of output rows on the calling thread and {@code threads - 1} helper threads. Rows are handed out in
 * chunks from a shared counter and the caller always works too, so a helper that the OS has descheduled (a busy
 * machine) only delays the chunk it already took, never the start. Helpers spin briefly between jobs (a decode step
 * issues its projections tens of microseconds apart), then park. One job at a time: a second concurrent caller runs
 * its rows alone.
 */
public final class RowParallel {

    /** Body of a job: rows [from, to). */
    @FunctionalInterface
    public interface Rows {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = Long.getLong("claws.decode.spin-nanos", 50_000L);

    private final int threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Helper[] helpers;
    private volatile Job current;

    public RowParallel(int threads) {
        this.threads = Math.max(1, threads);
        helpers = new Helper[this.threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper();
            Thread t = new Thread(helpers[i], "claws-decode-rows-" + (i + 1));
            t.setDaemon(true);
            helpers[i].thread = t;
            t.start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over rows [0, rows) in chunks of {@code grain} rows; returns when every row is done. */
    public void run(int rows, int grain, Rows body) {
        int chunks = (rows + grain - 1) / grain;
        if (helpers.length == 0 || chunks <= 1 || !lock.tryLock()) {
            body.run(0, rows);
            return;
        }
        try {
            Job job = new Job(rows, grain, chunks, body);
            current = job;
            for (Helper h : helpers) {
                if (h.parked) {
                    LockSupport.unpark(h.thread);
                }
            }
            job.work();
            while (job.done.get() < chunks) {
                Thread.onSpinWait();
            }
        } finally {
            current = null;
            lock.unlock();
        }
    }

    private static final class Job {
        final int rows;
        final int grain;
        final int chunks;
        final Rows body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();

        Job(int rows, int grain, int chunks, Rows body) {
            this.rows = rows;
            this.grain = grain;
            this.chunks = chunks;
            this.body = body;
        }

        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    body.run(c * grain, Math.min(rows, (c + 1) * grain));
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final class Helper implements Runnable {
        volatile boolean parked;
        Thread thread;

        @Override
        public void run() {
            Job seen = null;
            while (true) {
                Job job = current;
                if (job != null && job != seen) {
                    seen = job;
                    job.work();
                    continue;
                }
                long until = System.nanoTime() + SPIN_NANOS;
                while (current == null || current == seen) {
                    if (System.nanoTime() > until) {
                        parked = true;
                        if (current == null || current == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        until = System.nanoTime() + SPIN_NANOS;
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
        }
    }
}

package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;

/**
 * Continuous batching of the decode steps of concurrent generations on one model. Each caller prefills its prompt on
 * its own thread; its sequence then joins the running batch and one decoding thread runs a single forward pass per
 * step for all rows (the weights are read once per step, not once per sequence). A row leaves as soon as it finishes,
 * its caller cancels, or it hits a stop token; its slot is reused by the next joiner. Every row keeps its own sampler,
 * so its tokens are those it would get alone.
 */
public final class DecodeBatch implements AutoCloseable {

    private final DecoderModel model;
    private final int maxRows;
    private final BatchKvCache cache;
    private final List<Joined> active = new ArrayList<>();
    private final Deque<Joined> waiting = new ArrayDeque<>();
    private final Object lock = new Object();
    private final Thread thread;
    private boolean closed;
    private volatile int peakRows;

    public DecodeBatch(DecoderModel model, int maxRows, String threadName) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + maxRows);
        }
        this.model = model;
        this.maxRows = maxRows;
        this.cache = new BatchKvCache(model.manager(), model.config(), maxRows);
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public int maxRows() {
        return maxRows;
    }

    /** The most rows one step has decoded together so far. */
    public int peakRows() {
        return peakRows;
    }

    /**
     * Same contract as {@link DecoderModel#generate(long[], GenerationSettings, TokenListener, BooleanSupplier)}:
     * the prompt is prefilled on the calling thread, which then waits while the batch decodes the rest. The listener
     * and the cancellation check are called from the decoding thread after the first token.
     */
    public GenerationResult generate(long[] prompt, GenerationSettings settings, TokenListener listener,
                                     BooleanSupplier cancelled) {
        int capacity = model.requireGeneration(prompt, settings);
        DecodeRow row = new DecodeRow(model.config(), prompt, settings, listener, cancelled);
        Joined joined;
        try (InferenceSession session = model.newSession(prompt.length)) {
            if (row.cancelRequested()) {
                return row.result();
            }
            boolean goOn;
            try (NDManager step = session.manager().newSubManager()) {
                goOn = row.accept(session.forward(step, prompt, true));
            }
            if (!goOn) {
                return row.result();
            }
            joined = new Joined(row, session, capacity);
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("the decode batch is closed");
                }
                waiting.add(joined);
                lock.notifyAll();
            }
            // the prompt's keys/values are copied into the batch when the row joins; then this cache can go
            await(joined.copied);
        }
        await(joined.done);
        return row.result();
    }

    private static void await(CompletableFuture<Void> f) {
        try {
            f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private void run() {
        while (true) {
            List<Joined> joining = new ArrayList<>();
            synchronized (lock) {
                while (!closed && active.isEmpty() && waiting.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    break;
                }
                while (!waiting.isEmpty() && active.size() + joining.size() < maxRows) {
                    joining.add(waiting.poll());
                }
                // rows still waiting for a slot may be cancelled meanwhile: they leave at once
                waiting.removeIf(j -> {
                    if (j.row.cancelRequested()) {
                        j.finish();
                        return true;
                    }
                    return false;
                });
            }
            try {
                step(joining);
            } catch (RuntimeException | Error e) {
                fail(joining, e);
            }
        }
        stopAll();
    }

    private void step(List<Joined> joining) {
        for (Joined j : joining) {
            if (j.row.cancelRequested()) {
                j.finish();
            } else {
                cache.add(j.session.cache(), j.capacity);
                active.add(j);
                j.copied.complete(null);
            }
        }
        // a cancelled row stops before its next token and frees its slot
        for (int i = active.size() - 1; i >= 0; i--) {
            if (active.get(i).row.cancelRequested()) {
                leave(i);
            }
        }
        if (active.isEmpty()) {
            return;
        }
        long[] ids = new long[active.size()];
        peakRows = Math.max(peakRows, ids.length);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = active.get(i).row.lastToken();
        }
        boolean[] goOn = new boolean[ids.length];
        try (NDManager step = model.manager().newSubManager()) {
            NDArray logits = model.decodeStep(step, ids, cache);
            for (int i = 0; i < ids.length; i++) {
                Joined j = active.get(i);
                try {
                    goOn[i] = j.row.accept(logits.get(i));
                } catch (RuntimeException e) {
                    j.error = e; // e.g. its client's stream broke: only this row ends
                }
            }
        }
        for (int i = ids.length - 1; i >= 0; i--) {
            if (!goOn[i]) {
                leave(i);
            }
        }
    }

    /** Removes row i; the last row takes its slot, in the cache and here alike. */
    private void leave(int i) {
        Joined j = active.get(i);
        cache.remove(i);
        int last = active.size() - 1;
        active.set(i, active.get(last));
        active.remove(last);
        j.finish();
    }

    private void fail(List<Joined> joining, Throwable e) {
        List<Joined> all = new ArrayList<>(active);
        for (Joined j : joining) {
            if (!all.contains(j)) {
                all.add(j);
            }
        }
        active.clear();
        cache.close();
        for (Joined j : all) {
            j.fail(e);
        }
    }

    private void stopAll() {
        List<Joined> all = new ArrayList<>(active);
        synchronized (lock) {
            all.addAll(waiting);
            waiting.clear();
        }
        active.clear();
        cache.close();
        for (Joined j : all) {
            j.fail(new IllegalStateException("the decode batch was closed"));
        }
    }

    /** Stops the decoding thread (rows still running fail) and frees the batch's cache. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A generation that has been prefilled and hands its decoding to the batch. */
    private static final class Joined {
        final DecodeRow row;
        final InferenceSession session;
        final int capacity;
        final CompletableFuture<Void> copied = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        RuntimeException error;

        Joined(DecodeRow row, InferenceSession session, int capacity) {
            this.row = row;
            this.session = session;
            this.capacity = capacity;
        }

        void finish() {
            row.finish();
            copied.complete(null);
            if (error != null) {
                done.completeExceptionally(error);
            } else {
                done.complete(null);
            }
        }

        void fail(Throwable e) {
            row.finish();
            copied.complete(null);
            done.completeExceptionally(e);
        }
    }
}

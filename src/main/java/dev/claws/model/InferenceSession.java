package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Arrays;

/**
 * One sequence being processed incrementally: tokens are fed in chunks (a whole prompt, then one token per step) and
 * keys/values of earlier positions are kept in this session's own cache. Not shared between threads; the model is.
 */
public final class InferenceSession implements AutoCloseable {

    private final DecoderModel model;
    private final NDManager manager;
    private final KvCache cache;

    InferenceSession(DecoderModel model, int capacity) {
        this.model = model;
        this.manager = model.manager().newSubManager();
        this.cache = new KvCache(manager, model.config(), capacity);
    }

    /** Positions already processed. */
    public int length() {
        return cache.length();
    }

    public int capacity() {
        return cache.capacity();
    }

    /** Drops every position after the first {@code newLength} (e.g. to score several continuations of one context). */
    public void truncate(int newLength) {
        cache.truncate(newLength);
    }

    /** Feeds tokens; returns logits [ids.length][vocab] for each fed position. */
    public float[][] feed(long[] ids) {
        try (NDManager step = manager.newSubManager()) {
            float[] flat = forward(step, ids, false).toFloatArray();
            int v = model.config().vocabSize();
            float[][] out = new float[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                out[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
            }
            return out;
        }
    }

    /** Feeds tokens; returns the logits of the last fed position. */
    public float[] feedLast(long[] ids) {
        try (NDManager step = manager.newSubManager()) {
            return forward(step, ids, true).toFloatArray();
        }
    }

    /**
     * Feeds tokens as generation does (a single token runs through the model's decode weights, see
     * {@link EngineOptions#decodeWeights()}); returns the logits of the last fed position.
     */
    public float[] feedGenerating(long[] ids) {
        try (NDManager step = manager.newSubManager()) {
            return generationStep(step, ids).toFloatArray();
        }
    }

    /** Feeds tokens inside the caller's step manager; the logits array belongs to {@code step}. */
    NDArray forward(NDManager step, long[] ids, boolean lastOnly) {
        requireRoom(ids);
        return model.forward(step, ids, cache, lastOnly);
    }

    /** Generation's step: logits [1, vocab] of the last fed token (see {@link DecoderModel#generationStep}). */
    NDArray generationStep(NDManager step, long[] ids) {
        requireRoom(ids);
        return model.generationStep(step, ids, cache);
    }

    /** Like {@link #forward} but stops before the head: final-norm hidden states for every fed position. */
    NDArray hidden(NDManager step, long[] ids) {
        requireRoom(ids);
        return model.hidden(step, ids, cache, false, null);
    }

    private void requireRoom(long[] ids) {
        model.requireIds(ids);
        if (cache.length() + ids.length > cache.capacity()) {
            throw new IllegalArgumentException("session capacity " + cache.capacity() + " exceeded: "
                    + cache.length() + " positions held, " + ids.length + " more fed");
        }
    }

    NDManager manager() {
        return manager;
    }

    KvCache cache() {
        return cache;
    }

    @Override
    public void close() {
        cache.close();
        manager.close();
    }
}

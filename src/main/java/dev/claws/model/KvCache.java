package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for one sequence, in buffers of fixed capacity ([kvHeads, capacity, headDim]) so a
 * decode step writes one slot in place instead of re-concatenating the whole history. Owned by one generation.
 */
final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private int length;

    KvCache(NDManager parent, ModelConfig c, int capacity) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        int layers = c.numHiddenLayers();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        Shape shape = new Shape(c.numKeyValueHeads(), capacity, c.headDim());
        for (int i = 0; i < layers; i++) {
            // uninitialised: only positions below length are ever read
            keys[i] = manager.create(shape, DataType.FLOAT32);
            values[i] = manager.create(shape, DataType.FLOAT32);
        }
    }

    int length() {
        return length;
    }

    int capacity() {
        return capacity;
    }

    /** Forgets everything after the first {@code newLength} positions (to re-score from a shared prefix). */
    void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of length " + length + " to " + newLength);
        }
        length = newLength;
    }

    /** Stores k, v ([kvHeads, T, headDim]) at positions length .. length+T-1 of {@code layer}. */
    void write(int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(1);
        NDIndex slot = new NDIndex(":, {}:{}", length, length + t);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
    }

    /** Views of all keys of {@code layer} up to length + pending, owned by {@code step}. */
    NDArray keys(NDManager step, int layer, int pending) {
        return keys[layer].get(step, new NDIndex(":, :{}", length + pending));
    }

    NDArray values(NDManager step, int layer, int pending) {
        return values[layer].get(step, new NDIndex(":, :{}", length + pending));
    }

    /** Commits the positions written by the last forward pass. */
    void advance(int count) {
        length += count;
    }

    @Override
    public void close() {
        manager.close();
    }
}

package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for one sequence, in buffers [kvHeads, allocated, headDim] so a decode step writes one
 * slot in place instead of re-concatenating the whole history. The buffers are sized by what is used: allocated on the
 * first write and grown in blocks (by at least a quarter, a multiple of {@link #BLOCK} positions) when a pass needs
 * more, never beyond {@link #capacity()}, the most positions the sequence may reach. Owned by one generation.
 */
final class KvCache implements AttentionCache, AutoCloseable {

    /** Positions are allocated in multiples of this. */
    static final int BLOCK = 64;

    private final NDManager parent;
    private final ModelConfig config;
    private final int capacity;
    private NDManager manager;
    private NDArray[] keys;
    private NDArray[] values;
    private int allocated;
    private int length;

    KvCache(NDManager parent, ModelConfig c, int capacity) {
        this.parent = parent;
        this.config = c;
        this.capacity = capacity;
    }

    int length() {
        return length;
    }

    /** The most positions this cache may hold. */
    int capacity() {
        return capacity;
    }

    /** Positions the buffers hold room for now (a multiple of {@link #BLOCK}, or the capacity). */
    int allocated() {
        return allocated;
    }

    /** Forgets everything after the first {@code newLength} positions (to re-score from a shared prefix). */
    void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of length " + length + " to " + newLength);
        }
        length = newLength;
    }

    @Override
    public int rows() {
        return 1;
    }

    @Override
    public void reserve(NDManager step, int t) {
        int needed = length + t;
        if (needed > capacity) {
            throw new IllegalArgumentException("KV cache capacity " + capacity + " exceeded: " + length
                    + " positions held, " + t + " more fed");
        }
        if (needed <= allocated) {
            return;
        }
        int size = Math.min(capacity, roundUp(Math.max(needed, allocated + allocated / 4)));
        NDManager grown = parent.newSubManager();
        int layers = config.numHiddenLayers();
        NDArray[] k = new NDArray[layers];
        NDArray[] v = new NDArray[layers];
        Shape shape = new Shape(config.numKeyValueHeads(), size, config.headDim());
        for (int i = 0; i < layers; i++) {
            // uninitialised: only positions below length are ever read
            k[i] = grown.create(shape, DataType.FLOAT32);
            v[i] = grown.create(shape, DataType.FLOAT32);
            if (length > 0) {
                NDIndex held = new NDIndex(":, :{}", length);
                try (NDManager tmp = grown.newSubManager()) {
                    k[i].set(held, keys[i].get(tmp, held));
                    v[i].set(held, values[i].get(tmp, held));
                }
            }
        }
        if (manager != null) {
            manager.close();
        }
        manager = grown;
        keys = k;
        values = v;
        allocated = size;
    }

    private static int roundUp(int n) {
        return (n + BLOCK - 1) / BLOCK * BLOCK;
    }

    @Override
    public long[] startPositions() {
        return new long[] {length};
    }

    /** Stores k, v ([1, kvHeads, T, headDim]) at positions length .. length+T-1 and returns all keys/values so far. */
    @Override
    public NDList store(NDManager step, int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        write(layer, k.reshape(k.getShape().slice(1)), v.reshape(v.getShape().slice(1)));
        NDArray allKeys = keys(step, layer, (int) t);
        NDArray allValues = values(step, layer, (int) t);
        return new NDList(allKeys.expandDims(0), allValues.expandDims(0));
    }

    @Override
    public int visibleKeys(int queryEnd) {
        return length + queryEnd;
    }

    @Override
    public NDArray mask(NDManager step, int from, int to, int keys) {
        return CausalMask.of(step, length, from, to, keys);
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
    @Override
    public void advance(int count) {
        length += count;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }
}

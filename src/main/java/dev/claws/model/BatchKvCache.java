package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of the rows of a decode batch, per layer one buffer [slots, kvHeads, capacity, headDim] used as a
 * ring: every step writes column {@code column} of all rows with one copy, and row r holds its last lengths[r]
 * positions in the columns just before it (its prompt is copied in when it joins). Rows of different lengths share the
 * buffer; {@link #mask} hides from each row every column that is not its own. Rows are kept packed in slots
 * 0 .. rows-1 (a leaving row's slot takes the last row), so a step works on a prefix view without gathering. The
 * buffers are allocated when the first row joins and freed when the last one leaves. The ring is sized by what the
 * rows use, not by what they may still generate: a joining row reserves at most one {@link KvCache#BLOCK} beyond its
 * prompt, and a step grows the ring (by at least a quarter, in whole blocks) only when the longest row fills it, so a
 * step's attention costs what the rows hold. One thread uses it.
 */
final class BatchKvCache implements AttentionCache, AutoCloseable {

    private static final float MASKED = CausalMask.MASKED;
    private static final int MIN_CAPACITY = KvCache.BLOCK;

    private final NDManager parent;
    private final ModelConfig config;
    private final int slots;
    private final long[] lengths;
    private NDManager manager;
    private NDArray[] keys;
    private NDArray[] values;
    private int capacity;
    private int column;
    private int rows;
    /** The mask of the step being run, made once by {@link #reserve} on the step's manager for all its layers. */
    private NDArray stepMask;

    BatchKvCache(NDManager parent, ModelConfig config, int slots) {
        this.parent = parent;
        this.config = config;
        this.slots = slots;
        this.lengths = new long[slots];
    }

    @Override
    public int rows() {
        return rows;
    }

    int slots() {
        return slots;
    }

    int capacity() {
        return capacity;
    }

    /** The position each row is fed at in the next step (= its cached length). */
    long[] positions() {
        return java.util.Arrays.copyOf(lengths, rows);
    }

    /**
     * Appends a row holding the keys/values of {@code source} (a prefilled single-sequence cache) that may reach
     * {@code needed} positions in all; the ring grows when it cannot hold the row's prompt and one block beyond
     * (or {@code needed}, if less). Returns the row index.
     */
    int add(KvCache source, int needed) {
        if (rows == slots) {
            throw new IllegalStateException("all " + slots + " rows of the batch are in use");
        }
        int reserve = Math.max(source.length() + 1, Math.min(needed, source.length() + KvCache.BLOCK));
        if (manager == null) {
            allocate(ringSize(reserve));
        } else if (reserve > capacity) {
            grow(ringSize(Math.max(reserve, capacity + capacity / 4)));
        }
        stepMask = null; // a mask is made per step, for the rows of that step
        int row = rows++;
        lengths[row] = source.length();
        try (NDManager tmp = parent.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                place(l, row, source.keys(tmp, l, 0), source.values(tmp, l, 0));
            }
        }
        return row;
    }

    /** Drops row {@code row}; the last row moves into its slot (callers mirror that move). */
    void remove(int row) {
        stepMask = null;
        int last = rows - 1;
        if (row != last) {
            try (NDManager tmp = parent.newSubManager()) {
                NDIndex from = new NDIndex("{}", last);
                NDIndex to = new NDIndex("{}", row);
                for (int l = 0; l < keys.length; l++) {
                    keys[l].set(to, keys[l].get(tmp, from));
                    values[l].set(to, values[l].get(tmp, from));
                }
            }
            lengths[row] = lengths[last];
        }
        rows--;
        if (rows == 0) {
            release();
        }
    }

    /**
     * Grows the ring when the longest row would not fit one more position (t is 1: one decode step), and makes the
     * step's mask, owned by {@code step}.
     */
    @Override
    public void reserve(NDManager step, int t) {
        long longest = 0;
        for (int r = 0; r < rows; r++) {
            longest = Math.max(longest, lengths[r]);
        }
        int needed = (int) longest + t;
        if (needed > capacity) {
            grow(ringSize(Math.max(needed, capacity + capacity / 4)));
        }
        stepMask = newMask(step); // the same for every layer of the step
    }

    @Override
    public long[] startPositions() {
        return positions();
    }

    /** Writes the step's keys/values ([rows, kvHeads, 1, headDim]) and returns the whole ring of every row. */
    @Override
    public NDList store(NDManager step, int layer, NDArray k, NDArray v) {
        write(layer, k.squeeze(2), v.squeeze(2));
        return new NDList(keys(step, layer), values(step, layer));
    }

    @Override
    public int visibleKeys(int queryEnd) {
        return capacity;
    }

    /**
     * The ring mask as [rows, 1, 1, 1, capacity] (one query per row): the step's, made by {@link #reserve} (owned by the
     * step's manager, not {@code step}, which here is a layer's).
     */
    @Override
    public NDArray mask(NDManager step, int from, int to, int keys) {
        return stepMask != null ? stepMask : newMask(step);
    }

    private NDArray newMask(NDManager step) {
        return step.create(maskValues(), new Shape(rows, 1, 1, 1, capacity));
    }

    @Override
    public void advance(int t) {
        for (int i = 0; i < t; i++) {
            advance();
        }
    }

    /** Stores the new keys/values ([rows, kvHeads, headDim]) of every row at the current column. */
    void write(int layer, NDArray k, NDArray v) {
        NDIndex at = new NDIndex(":{}, :, {}", rows, column);
        keys[layer].set(at, k);
        values[layer].set(at, v);
    }

    /** View [rows, kvHeads, capacity, headDim] of the keys of {@code layer}, owned by {@code step}. */
    NDArray keys(NDManager step, int layer) {
        return keys[layer].get(step, new NDIndex(":{}", rows));
    }

    NDArray values(NDManager step, int layer) {
        return values[layer].get(step, new NDIndex(":{}", rows));
    }

    /**
     * Additive mask values [rows * capacity] for the step about to run: row r sees the column being written and the
     * lengths[r] columns before it (wrapping around the ring), nothing else.
     */
    private float[] maskValues() {
        float[] m = new float[rows * capacity];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < capacity; j++) {
                int age = Math.floorMod(column - j, capacity);
                m[r * capacity + j] = age <= lengths[r] ? 0f : MASKED;
            }
        }
        return m;
    }

    /** Commits the column written by the last step. */
    void advance() {
        stepMask = null;
        column = (column + 1) % capacity;
        for (int r = 0; r < rows; r++) {
            lengths[r]++;
        }
    }

    /** At least {@code needed} positions, in whole blocks, at most the context length unless more is needed. */
    private int ringSize(int needed) {
        int size = Math.max(MIN_CAPACITY, (needed + KvCache.BLOCK - 1) / KvCache.BLOCK * KvCache.BLOCK);
        return Math.max(needed, Math.min(size, config.maxPositionEmbeddings()));
    }

    private void allocate(int size) {
        manager = parent.newSubManager();
        capacity = size;
        column = 0;
        int layers = config.numHiddenLayers();
        keys = new NDArray[layers];
        values = new NDArray[layers];
        // zeros, not uninitialised memory: masked columns are still multiplied, and garbage could be NaN
        Shape shape = new Shape(slots, config.numKeyValueHeads(), size, config.headDim());
        for (int l = 0; l < layers; l++) {
            keys[l] = manager.zeros(shape, DataType.FLOAT32);
            values[l] = manager.zeros(shape, DataType.FLOAT32);
        }
    }

    /** Moves every row into a larger ring (rare: a joining row needs more positions than the ring holds). */
    private void grow(int size) {
        NDManager oldManager = manager;
        NDArray[] oldKeys = keys;
        NDArray[] oldValues = values;
        int oldCapacity = capacity;
        int oldColumn = column;
        allocate(size);
        try (NDManager tmp = parent.newSubManager()) {
            for (int r = 0; r < rows; r++) {
                for (int l = 0; l < keys.length; l++) {
                    place(l, r, window(tmp, oldKeys[l], r, oldCapacity, oldColumn),
                            window(tmp, oldValues[l], r, oldCapacity, oldColumn));
                }
            }
        }
        oldManager.close();
    }

    /** Row r's lengths[r] positions of an old ring, in order: [kvHeads, length, headDim]. */
    private NDArray window(NDManager tmp, NDArray ring, int r, int ringCapacity, int ringColumn) {
        int length = (int) lengths[r];
        int start = Math.floorMod(ringColumn - length, ringCapacity);
        if (start + length <= ringCapacity) {
            return ring.get(tmp, new NDIndex("{}, :, {}:{}", r, start, start + length));
        }
        NDArray head = ring.get(tmp, new NDIndex("{}, :, {}:", r, start));
        NDArray tail = ring.get(tmp, new NDIndex("{}, :, :{}", r, start + length - ringCapacity));
        return head.concat(tail, 1);
    }

    /** Writes a row's history ([kvHeads, length, headDim]) into the columns just before the current one. */
    private void place(int layer, int row, NDArray k, NDArray v) {
        int length = (int) k.getShape().get(1);
        if (length == 0) {
            return;
        }
        int start = Math.floorMod(column - length, capacity);
        int first = Math.min(length, capacity - start);
        keys[layer].set(new NDIndex("{}, :, {}:{}", row, start, start + first), k.get(":, :{}", first));
        values[layer].set(new NDIndex("{}, :, {}:{}", row, start, start + first), v.get(":, :{}", first));
        if (first < length) {
            keys[layer].set(new NDIndex("{}, :, :{}", row, length - first), k.get(":, {}:", first));
            values[layer].set(new NDIndex("{}, :, :{}", row, length - first), v.get(":, {}:", first));
        }
    }

    private void release() {
        if (manager != null) {
            manager.close();
            manager = null;
            keys = null;
            values = null;
            capacity = 0;
            column = 0;
        }
    }

    @Override
    public void close() {
        rows = 0;
        release();
    }
}

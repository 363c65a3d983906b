package dev.claws.model.tools;

import java.util.Arrays;

/**
 * Keys and values of every layer of one sequence on the host: per layer a float32 array of rows, one row of
 * kvHeads * headDim floats per position ([position][kvHead][headDim]), so a decode step appends one row and growing
 * is a copy of the filled rows. Sized by what is used, like the engine's KvCache: room is added in blocks of
 * {@link #BLOCK} positions, by at least a quarter, when a step needs more.
 */
final class HostKvCache {

    /** Positions are allocated in multiples of this. */
    static final int BLOCK = 64;

    private final int rowWidth;
    private final float[][] keys;
    private final float[][] values;
    private int allocated;
    private int length;

    /** An empty cache for {@code layers} layers of rows {@code rowWidth} = kvHeads * headDim floats wide. */
    HostKvCache(int layers, int rowWidth) {
        this.rowWidth = rowWidth;
        keys = new float[layers][0];
        values = new float[layers][0];
    }

    /** Positions held (committed by {@link #advance()}). */
    int length() {
        return length;
    }

    /** Positions there is room for now (a multiple of {@link #BLOCK}). */
    int allocated() {
        return allocated;
    }

    /** Floats per position: kvHeads * headDim. */
    int rowWidth() {
        return rowWidth;
    }

    /** Makes room for position {@link #length()}, growing every layer's arrays when full; true when they grew. */
    boolean reserveNext() {
        if (length < allocated) {
            return false;
        }
        int size = Math.max(length + 1, allocated + allocated / 4);
        allocated = (size + BLOCK - 1) / BLOCK * BLOCK;
        for (int l = 0; l < keys.length; l++) {
            keys[l] = Arrays.copyOf(keys[l], allocated * rowWidth);
            values[l] = Arrays.copyOf(values[l], allocated * rowWidth);
        }
        return true;
    }

    /** Writes layer {@code layer}'s key and value rows for position {@link #length()} from k and v at the offsets. */
    void append(int layer, float[] k, int kOffset, float[] v, int vOffset) {
        System.arraycopy(k, kOffset, keys[layer], length * rowWidth, rowWidth);
        System.arraycopy(v, vOffset, values[layer], length * rowWidth, rowWidth);
    }

    /** Layer {@code layer}'s keys, rows [position][rowWidth]; rows at and past length() + 1 are unset. */
    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Commits the position written by the last step. */
    void advance() {
        length++;
    }
}

package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * What differs between the callers of the one decoder layer ({@link DecoderLayer}): where the keys and values of earlier
 * positions live, at which position each row's fed tokens sit, and which keys each query may see. A forward pass feeds
 * {@code rows} sequences of {@code t} tokens each (hidden states [rows, t, width]); implementations are a solo
 * sequence's {@link KvCache}, the batch's ring {@link BatchKvCache}, and {@link #causal} (no cache: one sequence from
 * position 0, nothing kept).
 */
interface AttentionCache {

    /** Sequences fed together (the batch dimension of the hidden states). */
    int rows();

    /**
     * Makes room for {@code t} more positions per row before the first layer writes (grows in blocks, by use);
     * {@code step} is the pass's manager, for what the pass's layers share (the batch ring's mask).
     */
    void reserve(NDManager step, int t);

    /** Position of the first fed token of each row (length {@link #rows()}); token j of row r sits at start[r] + j. */
    long[] startPositions();

    /**
     * Stores the new keys/values of {@code layer} (each [rows, kvHeads, t, headDim]) and returns the keys and values the
     * fed queries attend over, each [rows, kvHeads, S, headDim], owned by {@code step}.
     */
    NDList store(NDManager step, int layer, NDArray k, NDArray v);

    /** Keys (a prefix of S) that queries 0 .. queryEnd-1 of this pass may see at all; later keys are skipped. */
    int visibleKeys(int queryEnd);

    /**
     * Additive mask (0 or a large negative number) for queries {@code from .. to-1} against the first {@code keys} keys,
     * broadcastable to [rows, kvHeads, groups, to-from, keys] and owned by {@code step}; null when every key is visible.
     */
    NDArray mask(NDManager step, int from, int to, int keys);

    /** Commits the {@code t} positions written by the pass that just ran. */
    void advance(int t);

    /** One sequence from position 0 without a cache: the fed keys are attended causally and dropped afterwards. */
    static AttentionCache causal() {
        return causal(1);
    }

    /**
     * {@code rows} sequences of equal length, each from position 0, without a cache (training batches, SliceGPT's
     * calibration rows): the fed keys are attended causally within their own row and dropped afterwards.
     */
    static AttentionCache causal(int rows) {
        return new AttentionCache() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public void reserve(NDManager step, int t) {
            }

            @Override
            public long[] startPositions() {
                return new long[rows];
            }

            @Override
            public NDList store(NDManager step, int layer, NDArray k, NDArray v) {
                return new NDList(k, v);
            }

            @Override
            public int visibleKeys(int queryEnd) {
                return queryEnd;
            }

            @Override
            public NDArray mask(NDManager step, int from, int to, int keys) {
                return CausalMask.of(step, 0, from, to, keys);
            }

            @Override
            public void advance(int t) {
            }
        };
    }
}

package dev.claws.model.tools;

import dev.claws.model.DecodeMatrix;
import dev.claws.model.ModelConfig;
import dev.claws.model.RowParallel;

import java.util.Arrays;

/**
 * A one-token decode step of a Qwen2 / LLaMA decoder computed entirely on the host (batch 1), the prototype of a decode
 * path without the engine's per-op overhead. Per layer: RMSNorm -> fused QKV product (+ biases) -> RoPE on the query
 * and key heads -> append K, V to the {@link HostKvCache} -> grouped-query attention over the filled length (float32
 * softmax, scale 1/sqrt(headDim); query head h reads kv head h / groups) -> O product + residual -> RMSNorm -> GATE_UP
 * product -> SwiGLU -> DOWN product + residual; then the final RMSNorm and the LM head. The products are the engine's
 * {@link DecodeMatrix} kernels on {@link HostDecodeWeights}, their rows split over a {@link RowParallel} pool, and so
 * are the attention heads once the context is long enough to be worth it ({@link #PARALLEL_ATTENTION_WORK}). Every
 * buffer is allocated up front (the cache and the score rows grow in blocks of {@link HostKvCache#BLOCK} positions), so
 * a step allocates nothing else but the pool's hand-off record per parallel job.
 * <p>
 * Time per {@link Op} kind is accumulated with System.nanoTime around each op (about 300 readings per step of
 * SmolLM2-135M, tens of nanoseconds each).
 */
final class HostDecodeStep {

    /**
     * The op kinds a step's time is split into: residual adds and biases are counted with the product they follow,
     * NORM holds every RMSNorm including the final one, EMBED the embedding row, RoPE's angles and cache growth.
     */
    enum Op { EMBED, NORM, QKV, ROPE_CACHE, ATTENTION, O, GATE_UP, SWIGLU, DOWN, LM_HEAD }

    /** Multiply-adds (heads x positions x headDim) from which a layer's attention heads are split over the pool. */
    static final int PARALLEL_ATTENTION_WORK = 1 << 18;

    private final int parallelAttentionWork;
    private final HostDecodeWeights w;
    private final RowParallel pool;
    private final int width;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int groups;
    private final float scale;
    private final float eps;

    // one token's buffers: h [width] residual stream; x [padded width] normed input of QKV, GATE_UP and the head;
    // qkv [(H + 2K) headDim]; attn [padded H headDim]; y [width] O or DOWN output; gateUp [2I]; act [padded I];
    // logits [vocab]; cos, sin [headDim / 2] of the step's position; scores [H][room of the cache, whole vectors]
    private final float[] h;
    private final float[] x;
    private final float[] qkv;
    private final float[] attn;
    private final float[] y;
    private final float[] gateUp;
    private final float[] act;
    private final float[] logits;
    private final float[] cos;
    private final float[] sin;
    private float[][] scores;

    private final RowParallel.Rows[][] products;
    private final RowParallel.Rows headProduct;
    private final RowParallel.Rows attentionHeads;
    private final long[] nanos = new long[Op.values().length];

    private HostKvCache cache;
    /** The layer the attention job works on (set before the pool runs it; the pool's hand-off publishes it). */
    private int layer;

    HostDecodeStep(HostDecodeWeights weights, RowParallel pool) {
        this(weights, pool, PARALLEL_ATTENTION_WORK);
    }

    /** A step whose attention heads go to the pool from {@code parallelAttentionWork} multiply-adds per layer. */
    HostDecodeStep(HostDecodeWeights weights, RowParallel pool, int parallelAttentionWork) {
        this.parallelAttentionWork = parallelAttentionWork;
        this.w = weights;
        this.pool = pool;
        ModelConfig c = weights.config;
        width = c.hiddenSize();
        heads = c.numAttentionHeads();
        kvHeads = c.numKeyValueHeads();
        headDim = c.headDim();
        groups = c.kvGroups();
        scale = (float) (1.0 / Math.sqrt(headDim));
        eps = (float) c.rmsNormEps();
        int inputWidth = weights.head.paddedIn();
        int maxInter = 0;
        int downIn = 0;
        for (HostDecodeWeights.Layer l : weights.layers) {
            inputWidth = Math.max(inputWidth, Math.max(l.qkv().paddedIn(), l.gateUp().paddedIn()));
            maxInter = Math.max(maxInter, l.intermediate());
            downIn = Math.max(downIn, l.down().paddedIn());
        }
        h = new float[width];
        x = new float[inputWidth];
        qkv = new float[(heads + 2 * kvHeads) * headDim];
        attn = new float[weights.layers.get(0).o().paddedIn()];
        y = new float[width];
        gateUp = new float[2 * maxInter];
        act = new float[downIn];
        logits = new float[c.vocabSize()];
        cos = new float[headDim / 2];
        sin = new float[headDim / 2];
        scores = new float[heads][0];
        products = new RowParallel.Rows[weights.layers.size()][];
        for (int l = 0; l < products.length; l++) {
            HostDecodeWeights.Layer lw = weights.layers.get(l);
            products[l] = new RowParallel.Rows[] {rows(lw.qkv(), x, qkv), rows(lw.o(), attn, y),
                    rows(lw.gateUp(), x, gateUp), rows(lw.down(), act, y)};
        }
        headProduct = rows(weights.head, x, logits);
        attentionHeads = (from, to) -> {
            for (int q = from; q < to; q++) {
                attendHead(q);
            }
        };
        reset();
    }

    private static RowParallel.Rows rows(DecodeMatrix m, float[] in, float[] out) {
        return (from, to) -> m.multiply(in, out, from, to);
    }

    /** Starts a new sequence: an empty cache (position 0 next). */
    void reset() {
        cache = new HostKvCache(w.layers.size(), kvHeads * headDim);
    }

    /** Positions in the cache. */
    int length() {
        return cache.length();
    }

    /** The host KV cache of the current sequence. */
    HostKvCache cache() {
        return cache;
    }

    /** Nanoseconds spent per {@link Op} kind (index = ordinal) since the last {@link #clearTimes()}. */
    long[] opNanos() {
        return nanos.clone();
    }

    /** Weight bytes one step reads per {@link Op} kind (index = ordinal; 0 for the ops without a product). */
    long[] weightBytes() {
        long[] bytes = new long[Op.values().length];
        for (HostDecodeWeights.Layer l : w.layers) {
            bytes[Op.QKV.ordinal()] += l.qkv().bytes();
            bytes[Op.O.ordinal()] += l.o().bytes();
            bytes[Op.GATE_UP.ordinal()] += l.gateUp().bytes();
            bytes[Op.DOWN.ordinal()] += l.down().bytes();
        }
        bytes[Op.LM_HEAD.ordinal()] = w.head.bytes();
        return bytes;
    }

    void clearTimes() {
        Arrays.fill(nanos, 0);
    }

    /**
     * Feeds {@code token} at position {@link #length()} and returns the logits [vocab] of the next token: this object's
     * buffer, valid until the next step.
     */
    float[] step(int token) {
        long t = System.nanoTime();
        if (cache.reserveNext()) {
            growScores();
        }
        int position = cache.length();
        w.embed(token, h);
        HostOps.ropeAngles(w.invFreq, position, cos, sin);
        t = mark(Op.EMBED, t);
        for (int l = 0; l < w.layers.size(); l++) {
            t = layer(l, w.layers.get(l), t);
        }
        cache.advance();
        HostOps.rmsNorm(h, w.finalNorm, eps, x, width);
        t = mark(Op.NORM, t);
        run(w.head, headProduct);
        mark(Op.LM_HEAD, t);
        return logits;
    }

    private long layer(int l, HostDecodeWeights.Layer lw, long t) {
        HostOps.rmsNorm(h, lw.inputNorm(), eps, x, width);
        t = mark(Op.NORM, t);
        run(lw.qkv(), products[l][0]);
        if (lw.qkvBias() != null) {
            HostOps.add(qkv, lw.qkvBias(), qkv.length);
        }
        t = mark(Op.QKV, t);
        HostOps.rope(qkv, 0, heads + kvHeads, headDim, cos, sin); // query heads, then key heads
        cache.append(l, qkv, heads * headDim, qkv, (heads + kvHeads) * headDim);
        t = mark(Op.ROPE_CACHE, t);
        layer = l;
        // the pool only pays off for long contexts: a short one is a few microseconds of work, and a helper that the
        // OS deschedules while holding a head would stall the step
        int work = heads * (cache.length() + 1) * headDim;
        pool.run(heads, work < parallelAttentionWork ? heads : 1, attentionHeads);
        t = mark(Op.ATTENTION, t);
        run(lw.o(), products[l][1]);
        addBias(lw.oBias());
        HostOps.add(h, y, width);
        t = mark(Op.O, t);
        HostOps.rmsNorm(h, lw.postNorm(), eps, x, width);
        t = mark(Op.NORM, t);
        run(lw.gateUp(), products[l][2]);
        if (lw.gateUpBias() != null) {
            HostOps.add(gateUp, lw.gateUpBias(), 2 * lw.intermediate());
        }
        t = mark(Op.GATE_UP, t);
        HostOps.swiglu(gateUp, lw.intermediate(), act);
        t = mark(Op.SWIGLU, t);
        run(lw.down(), products[l][3]);
        addBias(lw.downBias());
        HostOps.add(h, y, width);
        return mark(Op.DOWN, t);
    }

    private void attendHead(int q) {
        int n = cache.length() + 1;
        HostOps.attendHead(qkv, q * headDim, cache.keys(layer), cache.values(layer), (q / groups) * headDim,
                cache.rowWidth(), n, headDim, scale, scores[q], attn, q * headDim);
    }

    private void run(DecodeMatrix m, RowParallel.Rows body) {
        pool.run(m.out(), DecodeMatrix.grain(m.out(), pool.threads()), body);
    }

    private void addBias(float[] bias) {
        if (bias != null) {
            HostOps.add(y, bias, width);
        }
    }

    /** Score rows follow the cache's room, rounded up to whole vectors (the softmax runs without a tail loop). */
    private void growScores() {
        int lanes = HostOps.lanes();
        int length = (cache.allocated() + lanes - 1) / lanes * lanes;
        scores = new float[heads][length];
    }

    private long mark(Op op, long since) {
        long now = System.nanoTime();
        nanos[op.ordinal()] += now - since;
        return now;
    }
}

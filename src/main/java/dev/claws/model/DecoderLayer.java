package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;

/**
 * The one decoder layer of a Qwen2 / LLaMA model (as transformers' Qwen2DecoderLayer / LlamaDecoderLayer), used by
 * prefill, solo and batched decode, scoring, evaluation and calibration alike:
 * RMSNorm -> attention (fused q/k/v with optional biases, RoPE, grouped-query attention, causal or per-row mask) ->
 * residual (or SliceGPT's shortcut matrix) -> RMSNorm -> SwiGLU MLP -> residual (or shortcut).
 * <p>
 * Hidden states are [rows, t, width]. What differs between callers (solo KV cache, batch ring cache, no cache; the
 * positions of each row) is the {@link AttentionCache} passed in; the linear maps go through {@link LinearMaps} (where a
 * LoRA delta can be added). Every result is owned by the manager of the input {@code h}: callers run a layer in a
 * sub-manager and keep only its output. Attention is computed for a chunk of queries at a time, so no [heads, t, S]
 * score tensor larger than {@link #ATTENTION_CHUNK_BYTES} exists at once, whatever the prompt length, and the
 * position-wise rest of the layer for {@link #TOKEN_CHUNK} tokens at a time.
 */
final class DecoderLayer {

    /** Upper bound of one chunk's float32 attention scores ([rows, heads, chunk, S]). */
    static final long ATTENTION_CHUNK_BYTES = 32L * 1024 * 1024;
    /** Tokens per chunk of the position-wise part of a layer (o_proj, MLP) on a long prompt. */
    static final int TOKEN_CHUNK = 512;

    private final ModelConfig config;
    private final Rope rope;

    DecoderLayer(ModelConfig config, Rope rope) {
        this.config = config;
        this.rope = rope;
    }

    /** cos and sin, each [rows, 1, t, headDim], for the positions the cache assigns to the fed tokens. */
    NDList positions(NDManager step, AttentionCache cache, int t) {
        long[] start = cache.startPositions();
        long[] pos = new long[start.length * t];
        for (int r = 0; r < start.length; r++) {
            for (int j = 0; j < t; j++) {
                pos[r * t + j] = start[r] + j;
            }
        }
        NDList cs = rope.cosSin(step, pos);
        long[] shape = {start.length, 1, t, config.headDim()};
        return new NDList(cs.get(0).reshape(shape), cs.get(1).reshape(shape));
    }

    /**
     * Layer {@code index} on {@code h} [rows, t, width_in]; returns [rows, t, width_out] owned by h's manager.
     * {@code observer} (may be null) sees the residual stream after attention as [rows * t, width].
     */
    NDArray forward(int index, LayerWeights w, NDArray h, NDList cosSin, AttentionCache cache, LinearMaps maps,
                    ActivationObserver observer) {
        NDArray attn = attention(index, w, norm(h, w.inputNorm()), cosSin, cache, maps);
        long t = h.getShape().get(1);
        if (t <= TOKEN_CHUNK || observer != null) {
            return positionWise(index, w, h, attn, maps, observer);
        }
        // the rest of the layer acts on each position alone: a long prompt runs it a chunk of tokens at a time
        NDManager layer = h.getManager();
        NDList parts = new NDList();
        for (long from = 0; from < t; from += TOKEN_CHUNK) {
            long to = Math.min(t, from + TOKEN_CHUNK);
            try (NDManager sub = layer.newSubManager()) {
                NDIndex rows = new NDIndex(":, {}:{}, :", from, to);
                NDArray out = positionWise(index, w, h.get(sub, rows), attn.get(sub, rows), maps, null);
                out.attach(layer);
                parts.add(out);
            }
        }
        return NDArrays.concat(parts, 1);
    }

    /** o_proj, residual, norm, SwiGLU MLP, residual: [rows, t, width_out] owned by h's manager. */
    private NDArray positionWise(int index, LayerWeights w, NDArray h, NDArray attn, LinearMaps maps,
                                 ActivationObserver observer) {
        NDArray attnOut = maps.apply(index, LinearMaps.Projection.O, attn, w.o(), w.oBias());
        NDArray residual = w.attnShortcut() == null ? h : h.matMul(w.attnShortcut());
        NDArray mid = residual.add(attnOut);
        if (observer != null) {
            mid = observer.edit(index, ActivationObserver.Point.ATTENTION_RESIDUAL, flat(mid)).reshape(mid.getShape());
        }
        NDArray x = norm(mid, w.postNorm());
        NDList gateUp = maps.apply(index, LinearMaps.Projection.GATE_UP, x, w.gateUp(), w.gateUpBias())
                .split(new long[] {w.intermediateSize()}, 2);
        NDArray gate = gateUp.get(0);
        NDArray act = gate.mul(Activation.sigmoid(gate)).mul(gateUp.get(1)); // silu(gate) * up
        NDArray mlpOut = maps.apply(index, LinearMaps.Projection.DOWN, act, w.down(), w.downBias());
        residual = w.mlpShortcut() == null ? mid : mid.matMul(w.mlpShortcut());
        return residual.add(mlpOut);
    }

    /** Attention output before o_proj: [rows, t, heads * headDim]. */
    private NDArray attention(int index, LayerWeights w, NDArray x, NDList cosSin, AttentionCache cache,
                              LinearMaps maps) {
        long rows = x.getShape().get(0);
        int t = (int) x.getShape().get(1);
        int kvHeads = config.numKeyValueHeads();
        int groups = config.kvGroups();
        int hd = config.headDim();
        int qHeads = config.numAttentionHeads();
        // [rows, t, (H+2K)*hd] -> [rows, H+2K, t, hd]; RoPE runs once over the query and key heads together
        NDArray heads = maps.apply(index, LinearMaps.Projection.QKV, x, w.qkv(), w.qkvBias())
                .reshape(rows, t, qHeads + 2L * kvHeads, hd).transpose(0, 2, 1, 3);
        NDList split = heads.split(new long[] {qHeads + kvHeads}, 1);
        NDArray rotated = rope.apply(split.get(0), cosSin.get(0), cosSin.get(1));
        NDList qk = rotated.split(new long[] {qHeads}, 1);
        NDList kv = cache.store(x.getManager(), index, qk.get(1), split.get(1));
        NDArray q = qk.get(0);
        NDArray keys = kv.get(0);
        NDArray values = kv.get(1);

        float scale = (float) (1.0 / Math.sqrt(hd));
        long perQuery = rows * qHeads * keys.getShape().get(2) * Float.BYTES;
        int chunk = (int) Math.max(1, Math.min(t, ATTENTION_CHUNK_BYTES / Math.max(1, perQuery)));
        NDManager layer = x.getManager();
        NDList parts = new NDList();
        for (int from = 0; from < t; from += chunk) {
            int to = Math.min(t, from + chunk);
            int c = to - from;
            int visible = cache.visibleKeys(to);
            try (NDManager sub = layer.newSubManager()) {
                // views owned by the chunk's manager, so every product of the chunk is freed with it
                NDArray qc = q.get(sub, new NDIndex(":, :, {}:{}", from, to));
                NDArray kc = keys.get(sub, new NDIndex(":, :, :{}", visible));
                NDArray vc = values.get(sub, new NDIndex(":, :, :{}", visible));
                // grouped-query attention without copying K/V: query heads j*groups .. j*groups+groups-1 share kv head j
                NDArray scores = qc.reshape(rows, kvHeads, (long) groups * c, hd).matMul(kc.transpose(0, 1, 3, 2))
                        .mul(Engines.scalar(qc, scale)).reshape(rows, kvHeads, groups, c, visible);
                NDArray mask = cache.mask(sub, from, to, visible);
                if (mask != null) {
                    scores = scores.add(mask);
                }
                NDArray out = scores.softmax(-1).reshape(rows, kvHeads, (long) groups * c, visible).matMul(vc)
                        .reshape(rows, qHeads, c, hd);
                out.attach(layer);
                parts.add(out);
            }
        }
        NDArray attn = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 2);
        return attn.transpose(0, 2, 1, 3).reshape(rows, t, (long) qHeads * hd);
    }

    /**
     * A decode step's layers on one intra-op thread (projections excepted: {@link LinearMaps#DENSE} runs them on all);
     * the configured count is restored afterwards.
     */
    <T> T decodeStep(java.util.function.Supplier<T> layers) {
        return Engines.withThreads(1, Engines.configuredThreads(), layers);
    }

    /**
     * RMSNorm in float32 (weight != null), or SliceGPT's weightless RMSN dividing by the original width. The scalars
     * autograd keeps come from {@link Engines#scalar} (adding eps keeps nothing).
     */
    NDArray norm(NDArray x, NDArray weight) {
        if (weight == null) {
            SliceGptLayout s = config.sliceGpt();
            NDArray variance = x.square().sum(new int[] {-1}, true).div(Engines.scalar(x, s.rmsnDivisor()));
            return x.mul(variance.add(s.rmsnEps()).pow(Engines.scalar(x, -0.5)));
        }
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.mul(variance.add(config.rmsNormEps()).pow(Engines.scalar(x, -0.5))).mul(weight);
    }

    /** [rows, t, width] as [rows * t, width] (the residual stream as observers see it). */
    static NDArray flat(NDArray h) {
        return h.reshape(-1, h.getShape().getLastDimension());
    }
}

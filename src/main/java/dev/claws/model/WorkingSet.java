package dev.claws.model;

/**
 * Bytes of engine memory (float32) the decoder needs beyond its weights, from the shapes alone, as upper estimates of
 * what {@link DecoderLayer}, {@link KvCache} and {@link BatchKvCache} allocate:
 * <ul>
 * <li>a KV cache position: keys and values of every layer, 2 * layers * kvHeads * headDim * 4 bytes;</li>
 * <li>a prefill of T tokens: its KV cache (T positions) + the hidden states between layers (2 * T * width) + every
 *     temporary of one layer alive at once (a layer's manager is closed before the next layer runs: the norm chain, the
 *     fused q/k/v and its RoPE copies, the attention output, o_proj, the SwiGLU MLP and the residuals, per token) + the
 *     scores of one chunk of queries ({@link DecoderLayer#ATTENTION_CHUNK_BYTES}, three copies: scores, masked,
 *     softmax) + the last position's logits;</li>
 * <li>the batch ring: slots * context length positions (its largest size);</li>
 * <li>a batched decode step at {@code rows} rows over a full ring: per row, one layer's temporaries at one token, the
 *     scores over the ring (three copies and the mask) and the logits with the sampler's copies.</li>
 * </ul>
 */
public final class WorkingSet {

    private static final long F32 = Float.BYTES;

    private WorkingSet() {
    }

    public static long kvBytesPerPosition(ModelConfig c) {
        return 2L * c.numHiddenLayers() * c.numKeyValueHeads() * c.headDim() * F32;
    }

    /** Per-token bytes of one layer's temporaries (the widest layer). */
    static long layerBytesPerToken(ModelConfig c) {
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long widest = 0;
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            long d = Math.max(c.attentionInputWidth(l), Math.max(c.mlpInputWidth(l), c.layerOutputWidth(l)));
            long inter = c.intermediateSize(l);
            // norms 2 x 4d, o_proj/down/residuals 4d; q/k/v + 5 RoPE-sized copies + cache-shaped k/v; attention
            // output, its concatenation and transpose 3q; gate/up 2I + sigmoid, silu and product 3I
            long elements = 12 * d + 6 * (q + 2 * kv) + 2 * kv + 3 * q + 5 * inter;
            widest = Math.max(widest, elements * F32);
        }
        return widest;
    }

    /** Peak bytes of a prefill of {@code tokens} tokens, including the KV cache it leaves. */
    public static long prefillBytes(ModelConfig c, int tokens) {
        long t = tokens;
        long width = Math.max(c.embeddingWidth(), c.headInputWidth());
        long scores = Math.min(3 * DecoderLayer.ATTENTION_CHUNK_BYTES,
                3L * c.numAttentionHeads() * t * t * F32);
        return t * kvBytesPerPosition(c) + 2 * t * width * F32 + t * layerBytesPerToken(c) + scores
                + 2L * c.vocabSize() * F32;
    }

    /** Bytes of the batch ring at its largest: {@code slots} rows of a full context. */
    public static long batchCacheBytes(ModelConfig c, int slots) {
        return (long) slots * c.maxPositionEmbeddings() * kvBytesPerPosition(c);
    }

    /** Bytes of one decode step of {@code rows} rows over a full context (ring or solo cache). */
    public static long decodeStepBytes(ModelConfig c, int rows) {
        long ctx = c.maxPositionEmbeddings();
        long attention = 4L * c.numAttentionHeads() * ctx * F32; // scores, masked, softmax and the mask
        long logits = 4L * c.vocabSize() * F32; // logits, and the sampler's scaled/sorted copies
        return rows * (layerBytesPerToken(c) + attention + logits);
    }
}

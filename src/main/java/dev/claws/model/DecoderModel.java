package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import dev.claws.model.io.CheckpointException;
import dev.claws.model.io.CheckpointTensors;
import dev.claws.model.io.DType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A Qwen2 / LLaMA decoder-only transformer loaded from a Hugging Face checkpoint directory, computing in float32 on
 * DJL's PyTorch engine. Weights are immutable after loading, so one model serves many threads at once; all per-call
 * state lives in an {@link InferenceSession} (its own KV cache and managers).
 */
public final class DecoderModel implements AutoCloseable {

    private static final float MASKED = -1e30f;
    /** Logit rows are turned into log-probs in chunks of at most this many bytes. */
    static final long LOGIT_CHUNK_BYTES = 64L * 1024 * 1024;

    private final Path directory;
    private final ModelConfig config;
    private final DType storedDType;
    private final NDManager manager;
    private final boolean ownsManager;
    private final DecoderWeights weights;
    private final Rope rope;

    private DecoderModel(Path directory, ModelConfig config, DType storedDType, NDManager manager,
                         boolean ownsManager, DecoderWeights weights, Rope rope) {
        this.directory = directory;
        this.config = config;
        this.storedDType = storedDType;
        this.manager = manager;
        this.ownsManager = ownsManager;
        this.weights = weights;
        this.rope = rope;
    }

    /** Loads a checkpoint on a fresh manager made from the engine options; {@link #close()} frees it. */
    public static DecoderModel load(Path directory, EngineOptions options) {
        NDManager m = Engines.newManager(options);
        try {
            return load(directory, m, true);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Loads a checkpoint into a sub-manager of {@code parent}. */
    public static DecoderModel load(Path directory, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            return load(directory, m, true);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static DecoderModel load(Path directory, NDManager m, boolean owns) {
        ModelConfig config = ModelConfig.load(directory);
        try (CheckpointTensors tensors = CheckpointTensors.open(directory)) {
            if (tensors.names().isEmpty()) {
                throw new CheckpointException("checkpoint " + directory + " holds no tensors");
            }
            DType stored = tensors.entry("model.embed_tokens.weight").dtype();
            DecoderWeights w = DecoderWeights.load(config, tensors, m);
            return new DecoderModel(directory, config, stored, m, owns, w, new Rope(config, m));
        }
    }

    public Path directory() {
        return directory;
    }

    public ModelConfig config() {
        return config;
    }

    /** The dtype the checkpoint stores (computation is always float32). */
    public DType storedDType() {
        return storedDType;
    }

    NDManager manager() {
        return manager;
    }

    /**
     * Arrays held by this model's long-lived manager and its sub-managers: the weights plus whatever open sessions and
     * batch caches hold. Every call returns to the same count once its work is done; a larger count is a leak.
     */
    public int heldArrays() {
        return manager.getManagedArrays().size();
    }

    /** A new session (own KV cache) able to hold {@code capacity} positions. */
    public InferenceSession newSession(int capacity) {
        if (capacity <= 0 || capacity > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length must be in [1, " + config.maxPositionEmbeddings()
                    + "] (max_position_embeddings), got " + capacity);
        }
        return new InferenceSession(this, capacity);
    }

    /**
     * Runs the decoder on {@code ids} at positions cache.length() .. (cache may be null: positions from 0, nothing
     * kept). Returns logits [T, vocab] for all fed positions, or [1, vocab] for the last one, owned by {@code step}.
     */
    NDArray forward(NDManager step, long[] ids, KvCache cache, boolean lastOnly) {
        NDArray h = hidden(step, ids, cache, lastOnly, null);
        return linear(h, weights.lmHead, null);
    }

    /**
     * The decoder up to and including the final norm: [T, width] (or [1, width] with lastOnly), owned by {@code step}.
     * {@code observer} (may be null) sees the residual stream at every layer boundary.
     */
    NDArray hidden(NDManager step, long[] ids, KvCache cache, boolean lastOnly, ActivationObserver observer) {
        int t = ids.length;
        int start = cache == null ? 0 : cache.length();
        int kvHeads = config.numKeyValueHeads();
        int groups = config.kvGroups();
        int hd = config.headDim();
        int qHeads = config.numAttentionHeads();
        int qWidth = qHeads * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));

        NDArray idArray = step.create(ids);
        NDArray h = idArray.getNDArrayInternal().embedding(idArray, weights.embedTokens, SparseFormat.DENSE)
                .singletonOrThrow();
        NDList cs = rope.cosSin(step, start, t);
        NDArray cos = cs.get(0);
        NDArray sin = cs.get(1);
        NDArray mask = t > 1 ? causalMask(step, t, start) : null;

        for (int l = 0; l < weights.layers.size(); l++) {
            LayerWeights w = weights.layers.get(l);
            if (observer != null) {
                observer.observe(l, ActivationObserver.Point.LAYER_INPUT, h);
            }
            NDArray x = norm(h, w.inputNorm());
            // [T, (H+2K)*hd] -> [H+2K, T, hd]; RoPE runs once over the query and key heads together
            NDArray heads = linear(x, w.qkv(), w.qkvBias()).reshape(t, qHeads + 2L * kvHeads, hd).transpose(1, 0, 2);
            NDList split = heads.split(new long[] {qHeads + kvHeads}, 0);
            NDArray rotated = rope.apply(split.get(0), cos, sin);
            NDList qk = rotated.split(new long[] {qHeads}, 0);
            NDArray q = qk.get(0);
            NDArray k = qk.get(1);
            NDArray v = split.get(1);
            NDArray keys;
            NDArray values;
            if (cache == null) {
                keys = k;
                values = v;
            } else {
                cache.write(l, k, v);
                keys = cache.keys(step, l, t);
                values = cache.values(step, l, t);
            }
            int s = (int) keys.getShape().get(1);
            // grouped-query attention without copying K/V: query heads j*groups .. j*groups+groups-1 share kv head j
            NDArray qg = q.reshape(kvHeads, (long) groups * t, hd);
            NDArray scores = qg.matMul(keys.transpose(0, 2, 1)).mul(scale).reshape(kvHeads, groups, t, s);
            if (mask != null) {
                scores = scores.add(mask);
            }
            NDArray probs = scores.softmax(-1).reshape(kvHeads, (long) groups * t, s);
            NDArray attn = probs.matMul(values).reshape(config.numAttentionHeads(), t, hd).transpose(1, 0, 2)
                    .reshape(t, qWidth);
            NDArray attnOut = linear(attn, w.o(), w.oBias());
            NDArray residual = w.attnShortcut() == null ? h : h.matMul(w.attnShortcut());
            h = residual.add(attnOut);
            if (observer != null) {
                observer.observe(l, ActivationObserver.Point.ATTENTION_RESIDUAL, h);
            }

            x = norm(h, w.postNorm());
            NDList gateUp = linear(x, w.gateUp(), w.gateUpBias()).split(new long[] {w.intermediateSize()}, 1);
            NDArray gate = gateUp.get(0);
            NDArray up = gateUp.get(1);
            NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up); // silu(gate) * up
            NDArray mlpOut = linear(act, w.down(), w.downBias());
            residual = w.mlpShortcut() == null ? h : h.matMul(w.mlpShortcut());
            h = residual.add(mlpOut);
        }
        if (cache != null) {
            cache.advance(t);
        }
        if (observer != null) {
            observer.observe(weights.layers.size(), ActivationObserver.Point.LAYER_INPUT, h);
        }
        if (lastOnly && t > 1) {
            h = h.get("{}:", t - 1);
        }
        return norm(h, weights.finalNorm);
    }

    /**
     * One decode step for every row of {@code cache}: row r is fed {@code ids[r]} at its own position (its cached
     * length), attends only to its own cached positions (a mask hides the rest of the shared buffer), and the weights
     * are applied to all rows at once. Returns logits [rows, vocab] owned by {@code step}; the cache is advanced.
     */
    NDArray decodeStep(NDManager step, long[] ids, BatchKvCache cache) {
        int b = ids.length;
        if (b != cache.rows()) {
            throw new IllegalArgumentException(b + " ids for " + cache.rows() + " cached rows");
        }
        int kvHeads = config.numKeyValueHeads();
        int groups = config.kvGroups();
        int hd = config.headDim();
        int qHeads = config.numAttentionHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));

        NDArray idArray = step.create(ids);
        NDArray h = idArray.getNDArrayInternal().embedding(idArray, weights.embedTokens, SparseFormat.DENSE)
                .singletonOrThrow();
        NDList cs = rope.cosSin(step, cache.positions());
        NDArray cos = cs.get(0).reshape(b, 1, hd);
        NDArray sin = cs.get(1).reshape(b, 1, hd);
        NDArray mask = cache.mask(step); // [b, 1, 1, capacity]

        for (int l = 0; l < weights.layers.size(); l++) {
            LayerWeights w = weights.layers.get(l);
            NDArray x = norm(h, w.inputNorm());
            NDArray heads = rowsLinear(x, w.qkv(), w.qkvBias()).reshape(b, qHeads + 2L * kvHeads, hd);
            NDList split = heads.split(new long[] {qHeads + kvHeads}, 1);
            NDArray rotated = rope.apply(split.get(0), cos, sin);
            NDList qk = rotated.split(new long[] {qHeads}, 1);
            cache.write(l, qk.get(1), split.get(1));
            NDArray keys = cache.keys(step, l);     // [b, K, C, hd]
            NDArray values = cache.values(step, l);
            // query heads j*groups .. j*groups+groups-1 share kv head j, as in the single-sequence path
            NDArray qg = qk.get(0).reshape(b, kvHeads, groups, hd);
            NDArray scores = qg.matMul(keys.transpose(0, 1, 3, 2)).mul(scale).add(mask);
            NDArray attn = scores.softmax(-1).matMul(values).reshape(b, (long) qHeads * hd);
            NDArray attnOut = rowsLinear(attn, w.o(), w.oBias());
            NDArray residual = w.attnShortcut() == null ? h : h.matMul(w.attnShortcut());
            h = residual.add(attnOut);

            x = norm(h, w.postNorm());
            NDList gateUp = rowsLinear(x, w.gateUp(), w.gateUpBias()).split(new long[] {w.intermediateSize()}, 1);
            NDArray gate = gateUp.get(0);
            NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(gateUp.get(1));
            NDArray mlpOut = rowsLinear(act, w.down(), w.downBias());
            residual = w.mlpShortcut() == null ? h : h.matMul(w.mlpShortcut());
            h = residual.add(mlpOut);
        }
        cache.advance();
        return rowsLinear(norm(h, weights.finalNorm), weights.lmHead, null);
    }

    /**
     * x [rows, in] times weight [out, in] transposed, computed as weight @ x^T: with a few rows PyTorch's CPU kernels
     * run this form several times faster than linear() (measured 1.0 vs 6.4 ms for 2 rows of a 9728x896 weight),
     * which otherwise makes a small batch slower than decoding its rows one by one.
     */
    private static NDArray rowsLinear(NDArray x, NDArray weight, NDArray bias) {
        NDArray y = weight.matMul(x.transpose()).transpose();
        return bias == null ? y : y.add(bias);
    }

    /**
     * Runs the decoder over {@code ids} (no cache) and shows {@code observer} the residual stream entering every layer,
     * after every attention block, and entering the final norm (layer index = num_hidden_layers). The arrays are valid
     * only during the callback (e.g. for calibration statistics).
     */
    public void observe(long[] ids, ActivationObserver observer) {
        requireIds(ids);
        try (NDManager step = manager.newSubManager()) {
            hidden(step, ids, null, false, observer);
        }
    }

    /** Log-softmax of the head applied to rows of {@code h}, gathered at {@code targets}, a few rows at a time. */
    private float[] pickLogProbs(NDManager step, NDArray h, long[] targets, long[] argmaxOut) {
        return pickLogProbs(step, h, targets, argmaxOut, LOGIT_CHUNK_BYTES);
    }

    float[] pickLogProbs(NDManager step, NDArray h, long[] targets, long[] argmaxOut, long chunkBytes) {
        int rows = targets.length;
        // bounds the [rows, vocab] temporaries (152k-token vocabularies make full-sequence logits huge)
        int chunk = Math.max(1, (int) Math.min(rows, chunkBytes / 4 / config.vocabSize()));
        float[] out = new float[rows];
        for (int from = 0; from < rows; from += chunk) {
            int to = Math.min(rows, from + chunk);
            try (NDManager sub = step.newSubManager()) {
                NDArray part = h.get(sub, new ai.djl.ndarray.index.NDIndex("{}:{}", from, to));
                NDArray logProbs = linear(part, weights.lmHead, null).logSoftmax(-1);
                NDArray idx = sub.create(Arrays.copyOfRange(targets, from, to)).reshape(-1, 1);
                System.arraycopy(logProbs.gather(idx, 1).toFloatArray(), 0, out, from, to - from);
                if (argmaxOut != null) {
                    System.arraycopy(logProbs.argMax(1).toLongArray(), 0, argmaxOut, from, to - from);
                }
            }
        }
        return out;
    }

    /** [T, start+T] additive mask: position start+i may attend to keys 0 .. start+i. */
    private static NDArray causalMask(NDManager step, int t, int start) {
        NDArray rows = step.arange(start, start + t, 1, DataType.INT64).reshape(t, 1);
        NDArray cols = step.arange(0, start + t, 1, DataType.INT64).reshape(1, start + t);
        return cols.gt(rows).toType(DataType.FLOAT32, false).mul(MASKED);
    }

    /** RMSNorm in float32 (weight != null), or SliceGPT's weightless RMSN dividing by the original width. */
    private NDArray norm(NDArray x, NDArray weight) {
        if (weight == null) {
            SliceGptLayout s = config.sliceGpt();
            NDArray variance = x.square().sum(new int[] {-1}, true).div(s.rmsnDivisor());
            return x.mul(variance.add(s.rmsnEps()).pow(-0.5));
        }
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.mul(variance.add(config.rmsNormEps()).pow(-0.5)).mul(weight);
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    // ------------------------------------------------------------------ convenience

    /** Logits [T][vocab] for every position of {@code ids} (a full forward pass without cache; for tests and eval). */
    public float[][] logits(long[] ids) {
        requireIds(ids);
        try (NDManager step = manager.newSubManager()) {
            NDArray logits = forward(step, ids, null, false);
            float[] flat = logits.toFloatArray();
            int v = config.vocabSize();
            float[][] out = new float[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                out[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
            }
            return out;
        }
    }

    /**
     * Generates up to {@code settings.maxNewTokens()} tokens after {@code prompt}: one prefill pass over the prompt,
     * then one cached step per token. {@code listener} sees each token as it is chosen (return false to stop);
     * {@code cancelled} is checked before every step. Safe to call from several threads at once.
     */
    public GenerationResult generate(long[] prompt, GenerationSettings settings, TokenListener listener,
                                     BooleanSupplier cancelled) {
        int capacity = requireGeneration(prompt, settings);
        DecodeRow row = new DecodeRow(config, prompt, settings, listener, cancelled);
        try (InferenceSession session = newSession(capacity)) {
            long[] feed = prompt;
            while (!row.cancelRequested()) {
                boolean goOn;
                try (NDManager step = session.manager().newSubManager()) {
                    goOn = row.accept(session.forward(step, feed, true));
                }
                if (!goOn) {
                    break;
                }
                feed = new long[] {row.lastToken()};
            }
        }
        return row.result();
    }

    /** Checks a prompt and its settings; returns the cache positions the generation needs. */
    int requireGeneration(long[] prompt, GenerationSettings settings) {
        requireIds(prompt);
        int capacity = prompt.length + settings.maxNewTokens();
        if (capacity > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("prompt tokens + max_new_tokens must be <= "
                    + config.maxPositionEmbeddings() + " (max_position_embeddings), got " + capacity);
        }
        return capacity;
    }

    /** Greedy generation without streaming or cancellation. */
    public GenerationResult generate(long[] prompt, GenerationSettings settings) {
        return generate(prompt, settings, null, null);
    }

    /** Log-likelihood of {@code continuation} following {@code context} (lm-evaluation-harness semantics). */
    public ContinuationScore score(long[] context, long[] continuation) {
        return score(context, List.of(continuation)).get(0);
    }

    /**
     * Scores several continuations of one context; the context is run once and its cached keys/values reused.
     * The model sees context + continuation[:-1]; token j of the continuation is scored by the logits at the position
     * before it.
     */
    public List<ContinuationScore> score(long[] context, List<long[]> continuations) {
        requireIds(context);
        int longest = 0;
        for (long[] c : continuations) {
            if (c == null || c.length == 0) {
                throw new IllegalArgumentException("continuation token ids must not be empty");
            }
            requireIds(c);
            longest = Math.max(longest, c.length);
        }
        List<ContinuationScore> scores = new ArrayList<>();
        try (InferenceSession session = newSession(Math.max(1, context.length + longest - 1))) {
            float[] lastContext;
            try (NDManager step = session.manager().newSubManager()) {
                lastContext = session.forward(step, context, true).logSoftmax(-1).toFloatArray();
            }
            int contextLength = session.length();
            for (long[] c : continuations) {
                session.truncate(contextLength);
                double[] lp = new double[c.length];
                boolean greedy = isArgmax(lastContext, c[0]);
                lp[0] = lastContext[(int) c[0]];
                if (c.length > 1) {
                    try (NDManager step = session.manager().newSubManager()) {
                        NDArray h = session.hidden(step, Arrays.copyOf(c, c.length - 1));
                        long[] argmax = new long[c.length - 1];
                        float[] picked = pickLogProbs(step, h, Arrays.copyOfRange(c, 1, c.length), argmax);
                        for (int j = 1; j < c.length; j++) {
                            lp[j] = picked[j - 1];
                            greedy &= argmax[j - 1] == c[j];
                        }
                    }
                }
                double sum = 0;
                for (double x : lp) {
                    sum += x;
                }
                scores.add(new ContinuationScore(lp, sum, greedy));
            }
        }
        return scores;
    }

    /**
     * Log-probability of each token given all tokens before it: entry i is log p(ids[i+1] | ids[0..i]) (length T-1).
     * Used for intrinsic evaluation (cross-entropy = -mean).
     */
    public double[] sequenceLogProbs(long[] ids) {
        return sequenceLogProbs(ids, LOGIT_CHUNK_BYTES);
    }

    double[] sequenceLogProbs(long[] ids, long chunkBytes) {
        requireIds(ids);
        if (ids.length < 2) {
            return new double[0];
        }
        try (NDManager step = manager.newSubManager()) {
            NDArray h = hidden(step, Arrays.copyOf(ids, ids.length - 1), null, false, null);
            float[] picked = pickLogProbs(step, h, Arrays.copyOfRange(ids, 1, ids.length), null, chunkBytes);
            double[] out = new double[picked.length];
            for (int i = 0; i < picked.length; i++) {
                out[i] = picked[i];
            }
            return out;
        }
    }

    private static boolean isArgmax(float[] values, long id) {
        float v = values[(int) id];
        for (int i = 0; i < values.length; i++) {
            if (values[i] > v || (values[i] == v && i < id)) {
                return false;
            }
        }
        return true;
    }

    void requireIds(long[] ids) {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("token ids must not be empty");
        }
        if (ids.length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length must be in [1, " + config.maxPositionEmbeddings()
                    + "], got " + ids.length);
        }
        for (long id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " outside [0, " + config.vocabSize() + ")");
            }
        }
    }

    @Override
    public void close() {
        if (ownsManager) {
            manager.close();
        }
    }
}

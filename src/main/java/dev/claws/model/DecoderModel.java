package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
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

    /** Logit rows are turned into log-probs in chunks of at most this many bytes. */
    static final long LOGIT_CHUNK_BYTES = 64L * 1024 * 1024;

    private final Path directory;
    private final ModelConfig config;
    private final DType storedDType;
    private final NDManager manager;
    private final boolean ownsManager;
    private final DecoderWeights weights;
    private final DecoderLayer layer;
    private final Rope rope;
    /** The projections of generation's decode steps (DecodeLinearMaps, or DENSE without the Vector API). */
    private final LinearMaps decodeMaps;

    private DecoderModel(Path directory, ModelConfig config, DType storedDType, NDManager manager,
                         boolean ownsManager, DecoderWeights weights, Rope rope, WeightsDtype decodeWeights) {
        this.directory = directory;
        this.config = config;
        this.storedDType = storedDType;
        this.manager = manager;
        this.ownsManager = ownsManager;
        this.weights = weights;
        this.layer = new DecoderLayer(config, rope);
        this.rope = rope;
        this.decodeMaps = decodeMaps(weights, decodeWeights, manager);
    }

    private static LinearMaps decodeMaps(DecoderWeights weights, WeightsDtype dtype, NDManager manager) {
        if (manager.getDevice().isGpu()) {
            if (dtype != WeightsDtype.FLOAT32) {
                throw new IllegalArgumentException("decode weights " + dtype.label() + " are for the CPU; on a GPU "
                        + "decode steps run float32 in the engine");
            }
            return LinearMaps.DENSE;
        }
        if (!DecodeLinearMaps.available()) {
            if (dtype != WeightsDtype.FLOAT32) {
                throw new IllegalStateException("decode weights " + dtype.label() + " need the Vector API: start the "
                        + "JVM with --add-modules jdk.incubator.vector");
            }
            System.getLogger(DecoderModel.class.getName()).log(System.Logger.Level.WARNING, "jdk.incubator.vector "
                    + "is not in the JVM (--add-modules jdk.incubator.vector): decode steps run in the engine, slower");
            return LinearMaps.DENSE;
        }
        return DecodeLinearMaps.create(weights, dtype);
    }

    LinearMaps decodeMaps() {
        return decodeMaps;
    }

    /**
     * Whether generation's decode steps multiply on the host with the decode kernels ({@link DecodeMatrix}); false
     * when they run in the engine (on a GPU, or without the jdk.incubator.vector module).
     */
    public boolean decodeKernels() {
        return decodeMaps instanceof DecodeLinearMaps;
    }

    /** How generation's decode steps hold the projection weights (float32 when they run in the engine). */
    public WeightsDtype decodeWeights() {
        return decodeMaps instanceof DecodeLinearMaps d ? d.dtype() : WeightsDtype.FLOAT32;
    }

    /** Bytes the decode-step weights hold beside the float32 engine weights (0 for float32 read in place). */
    public long decodeWeightBytes() {
        return decodeMaps instanceof DecodeLinearMaps d ? d.extraBytes() : 0;
    }

    /** Loads a checkpoint on a fresh manager made from the engine options; {@link #close()} frees it. */
    public static DecoderModel load(Path directory, EngineOptions options) {
        NDManager m = Engines.newManager(options);
        try {
            return load(directory, m, true, options.decodeWeights());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Loads a checkpoint into a sub-manager of {@code parent} (float32 decode weights). */
    public static DecoderModel load(Path directory, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            return load(directory, m, true, WeightsDtype.FLOAT32);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static DecoderModel load(Path directory, NDManager m, boolean owns, WeightsDtype decodeWeights) {
        ModelConfig config = ModelConfig.load(directory);
        try (CheckpointTensors tensors = CheckpointTensors.open(directory)) {
            if (tensors.names().isEmpty()) {
                throw new CheckpointException("checkpoint " + directory + " holds no tensors");
            }
            DType stored = tensors.entry("model.embed_tokens.weight").dtype();
            DecoderWeights w = DecoderWeights.load(config, tensors, m);
            return new DecoderModel(directory, config, stored, m, owns, w, new Rope(config, m), decodeWeights);
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

    DecoderWeights weights() {
        return weights;
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
        return head(h);
    }

    /**
     * {@link #forward} for generation: a one-token step runs its projections and the LM head through the decode maps
     * (the chosen {@link WeightsDtype}); a prompt runs as {@link #forward} does.
     */
    NDArray generationStep(NDManager step, long[] ids, KvCache cache) {
        if (ids.length != 1) {
            return forward(step, ids, cache, true);
        }
        NDArray h = DecoderLayer.flat(run(step, ids, 1, cache, true, decodeMaps, null));
        return head(h, decodeMaps);
    }

    /**
     * The decoder up to and including the final norm: [T, width] (or [1, width] with lastOnly), owned by {@code step}.
     * {@code observer} (may be null) sees the residual stream at every layer boundary.
     */
    NDArray hidden(NDManager step, long[] ids, KvCache cache, boolean lastOnly, ActivationObserver observer) {
        AttentionCache attention = cache == null ? AttentionCache.causal() : cache;
        return DecoderLayer.flat(run(step, ids, ids.length, attention, lastOnly, LinearMaps.DENSE, observer));
    }

    /**
     * One decode step for every row of {@code cache}: row r is fed {@code ids[r]} at its own position (its cached
     * length), attends only to its own cached positions (a mask hides the rest of the shared buffer), and the weights
     * are applied to all rows at once. Returns logits [rows, vocab] owned by {@code step}; the cache is advanced.
     */
    NDArray decodeStep(NDManager step, long[] ids, BatchKvCache cache) {
        if (ids.length != cache.rows()) {
            throw new IllegalArgumentException(ids.length + " ids for " + cache.rows() + " cached rows");
        }
        return head(DecoderLayer.flat(run(step, ids, 1, cache, false, decodeMaps, null)), decodeMaps);
    }

    /**
     * The decoder stack on {@code ids} ([rows, t] row-major; rows = cache.rows()), up to and including the final norm:
     * [rows, t, width], or [rows, 1, width] with lastOnly, owned by {@code step}. Each layer runs in its own
     * sub-manager of {@code step} that is closed as soon as the layer's output exists, so a pass holds at most one
     * layer's temporaries (and the cache) at a time.
     */
    NDArray run(NDManager step, long[] ids, int t, AttentionCache cache, boolean lastOnly, LinearMaps maps,
                ActivationObserver observer) {
        int rows = cache.rows();
        if (ids.length != (long) rows * t) {
            throw new IllegalArgumentException(ids.length + " ids for " + rows + " rows of " + t);
        }
        cache.reserve(step, t);
        NDArray h0 = Embedding.embedding(step.create(ids).reshape(rows, t), weights.embedTokens, SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray h;
        NDList cosSin = layer.positions(step, cache, t);
        if (t == 1) {
            h = layer.decodeStep(() -> layers(step, h0, cosSin, cache, maps, observer));
        } else {
            h = layers(step, h0, cosSin, cache, maps, observer);
        }
        cache.advance(t);
        if (observer != null) {
            observer.observe(weights.layers.size(), ActivationObserver.Point.LAYER_INPUT, DecoderLayer.flat(h));
        }
        if (lastOnly && t > 1) {
            h = h.get(":, {}:, :", t - 1);
        }
        return layer.norm(h, weights.finalNorm);
    }

    /** Every decoder layer on {@code h}, each in its own sub-manager of {@code step}: the last one's output. */
    private NDArray layers(NDManager step, NDArray h, NDList cosSin, AttentionCache cache, LinearMaps maps,
                           ActivationObserver observer) {
        for (int l = 0; l < weights.layers.size(); l++) {
            NDArray next;
            try (NDManager work = step.newSubManager()) {
                h.tempAttach(work); // everything computed from h lands in this layer's manager
                NDArray in = observer == null ? h
                        : observer.edit(l, ActivationObserver.Point.LAYER_INPUT, DecoderLayer.flat(h)).reshape(h.getShape());
                next = layer.forward(l, weights.layers.get(l), in, cosSin, cache, maps, observer);
                next.attach(step);
            }
            h.close(); // back in step after the layer's manager closed; no longer needed
            h = next;
        }
        return h;
    }

    /** Decoder layers in the stack. */
    public int layerCount() {
        return weights.layers.size();
    }

    /**
     * Output widths of the slices a projection's weight fuses: QKV -> {q, k, v} (heads * head_dim each), GATE_UP ->
     * {gate, up} (the layer's intermediate size, which RandomPruneNet variants set per layer), otherwise {out}. The input
     * width is the weight's second dimension (SliceGPT variants slice it).
     *
     * @return {out widths...} ; see {@link #weightShape}
     */
    public long[] sliceWidths(int layer, LinearMaps.Projection projection) {
        LayerWeights w = weights.layers.get(layer);
        return switch (projection) {
            case QKV -> {
                long kv = (long) config.numKeyValueHeads() * config.headDim();
                yield new long[] {(long) config.numAttentionHeads() * config.headDim(), kv, kv};
            }
            case GATE_UP -> new long[] {w.intermediateSize(), w.intermediateSize()};
            default -> new long[] {weightShape(layer, projection)[0]};
        };
    }

    /** Shape [out, in] of the weight of {@code projection} in {@code layer} (layer ignored for LM_HEAD). */
    public long[] weightShape(int layer, LinearMaps.Projection projection) {
        return projectionWeight(layer, projection).getShape().getShape();
    }

    /**
     * The float32 weight [out, in] of {@code projection} in {@code layer} (layer ignored for LM_HEAD), owned by the
     * model: read it, never close or modify it.
     */
    public NDArray projectionWeight(int layer, LinearMaps.Projection projection) {
        if (projection == LinearMaps.Projection.LM_HEAD) {
            return weights.lmHead;
        }
        LayerWeights w = weights.layers.get(layer);
        return switch (projection) {
            case QKV -> w.qkv();
            case O -> w.o();
            case GATE_UP -> w.gateUp();
            case DOWN -> w.down();
            default -> throw new IllegalArgumentException(projection.name());
        };
    }

    /**
     * Layer {@code layer}'s float32 engine weights (norms, fused projections, biases), owned by the model: read them,
     * never close or modify them. For tools that run a decode step outside the engine (HostDecodePrototype).
     */
    public LayerWeights layerWeights(int layer) {
        return weights.layers.get(layer);
    }

    /** The float32 token embedding [vocab, width], owned by the model (read only; equal to the LM head when tied). */
    public NDArray tokenEmbeddings() {
        return weights.embedTokens;
    }

    /** The final RMSNorm weight [width] (null for SliceGPT's weightless RMSN), owned by the model (read only). */
    public NDArray finalNormWeight() {
        return weights.finalNorm;
    }

    /** RoPE's inverse frequencies [headDim/2] as the engine uses them (rope_theta and scaling applied), a copy. */
    public float[] ropeInverseFrequencies() {
        return rope.inverseFrequencies();
    }

    /**
     * The training forward pass: logits [rows, t, vocab] of {@code rows} sequences of t = ids.length / rows tokens
     * (row-major), each from position 0 and attended causally, no cache, every projection through {@code maps} (a LoRA
     * implementation adds its deltas there). Under a gradient collector the result carries the autograd graph back to
     * whatever parameters {@code maps} uses; the weights themselves never require gradients. Owned by {@code step}.
     */
    public NDArray logits(NDManager step, long[] ids, int rows, LinearMaps maps) {
        return headLogits(finalHidden(step, ids, rows, maps), maps);
    }

    /**
     * {@link #logits(NDManager, long[], int, LinearMaps)} up to and including the final norm: hidden states
     * [rows, t, width] owned by {@code step}, so a trainer can apply the LM head a chunk of positions at a time
     * ({@link #headLogits}) instead of holding [rows, t, vocab] logits (and their gradient) at once.
     */
    public NDArray finalHidden(NDManager step, long[] ids, int rows, LinearMaps maps) {
        requireIds(ids);
        if (rows <= 0 || ids.length % rows != 0) {
            throw new IllegalArgumentException(ids.length + " ids do not split into " + rows + " equal rows");
        }
        int t = ids.length / rows;
        return run(step, ids, t, AttentionCache.causal(rows), false, maps, null);
    }

    /** The LM head through {@code maps} on final-norm hidden states [..., width]: logits [..., vocab], h's manager. */
    public NDArray headLogits(NDArray h, LinearMaps maps) {
        return maps.apply(-1, LinearMaps.Projection.LM_HEAD, h, weights.lmHead, null);
    }

    /** Logits [rows, vocab] of final-norm hidden states [rows, width]. */
    NDArray head(NDArray h) {
        return head(h, LinearMaps.DENSE);
    }

    NDArray head(NDArray h, LinearMaps maps) {
        return maps.apply(-1, LinearMaps.Projection.LM_HEAD, h.reshape(h.getShape().get(0), 1, -1),
                weights.lmHead, null).reshape(h.getShape().get(0), -1);
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

    /**
     * {@link #observe(long[], ActivationObserver)} for several sequences of one length fed together as the rows of one
     * pass (each from position 0, causal, no cache): the observer sees all their tokens at every boundary at once, as
     * [rows * T, width] (row-major), and may {@link ActivationObserver#edit edit} the stream. Holds one layer's
     * temporaries for all rows at a time.
     *
     * @throws IllegalArgumentException no sequences, sequences of different lengths, or bad token ids
     */
    public void observe(List<long[]> sequences, ActivationObserver observer) {
        if (sequences == null || sequences.isEmpty()) {
            throw new IllegalArgumentException("sequences must hold at least one token sequence");
        }
        int t = sequences.get(0).length;
        long[] ids = new long[sequences.size() * t];
        for (int r = 0; r < sequences.size(); r++) {
            long[] row = sequences.get(r);
            if (row == null || row.length != t) {
                throw new IllegalArgumentException("sequences[" + r + "] must hold " + t + " tokens like sequences[0], got "
                        + (row == null ? 0 : row.length));
            }
            requireIds(row);
            System.arraycopy(row, 0, ids, r * t, t);
        }
        try (NDManager step = manager.newSubManager()) {
            run(step, ids, t, AttentionCache.causal(sequences.size()), false, LinearMaps.DENSE, observer);
        }
    }

    /**
     * log p(targets[i] | row i) for final-norm hidden states {@code h} [rows, width] (e.g. {@link #finalHidden},
     * flattened): the plain LM head and its log-softmax a few rows at a time (at most {@link #LOGIT_CHUNK_BYTES} of
     * logits at once), as scoring does, so no [rows, vocab] logits tensor exists. Temporaries live in sub-managers of
     * {@code step}, closed before return.
     */
    public float[] targetLogProbs(NDManager step, NDArray h, long[] targets) {
        return pickLogProbs(step, h, targets, null);
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
                NDArray part = h.get(sub, new NDIndex("{}:{}", from, to));
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

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
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
                    goOn = row.accept(session.generationStep(step, feed));
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

    /**
     * Log-probability of each token of {@code ids} given the tokens before it, and the {@code topK} most likely tokens
     * with their log-probabilities at every position (including the one after the last token): one forward pass
     * without cache, log-softmax of the head a few rows at a time. The view of a prompt that OpenAI-style completions
     * give with echo and logprobs.
     *
     * @param topK alternatives per position, 1 to the vocabulary size
     */
    public PromptLogProbs promptLogProbs(long[] ids, int topK) {
        requireIds(ids);
        if (topK < 1 || topK > config.vocabSize()) {
            throw new IllegalArgumentException("topK must be in [1, " + config.vocabSize() + "], got " + topK);
        }
        int rows = ids.length;
        int chunk = Math.max(1, (int) Math.min(rows, LOGIT_CHUNK_BYTES / 4 / config.vocabSize()));
        double[] picked = new double[rows - 1];
        long[][] topIds = new long[rows][];
        double[][] topLogProbs = new double[rows][];
        try (NDManager step = manager.newSubManager()) {
            NDArray h = hidden(step, ids, null, false, null);
            for (int from = 0; from < rows; from += chunk) {
                int to = Math.min(rows, from + chunk);
                try (NDManager sub = step.newSubManager()) {
                    NDArray part = h.get(sub, new NDIndex("{}:{}", from, to));
                    NDArray logProbs = linear(part, weights.lmHead, null).logSoftmax(-1);
                    int targets = Math.min(to, rows - 1) - from;
                    if (targets > 0) {
                        NDArray idx = sub.create(Arrays.copyOfRange(ids, from + 1, from + 1 + targets)).reshape(-1, 1);
                        float[] lp = logProbs.get(new NDIndex("0:{}", targets)).gather(idx, 1)
                                .toFloatArray();
                        for (int i = 0; i < targets; i++) {
                            picked[from + i] = lp[i];
                        }
                    }
                    NDList top = logProbs.topK(topK, 1, true, true);
                    float[] values = top.get(0).toFloatArray();
                    long[] indices = top.get(1).toType(DataType.INT64, false).toLongArray();
                    for (int r = 0; r < to - from; r++) {
                        topIds[from + r] = Arrays.copyOfRange(indices, r * topK, (r + 1) * topK);
                        double[] v = new double[topK];
                        for (int j = 0; j < topK; j++) {
                            v[j] = values[r * topK + j];
                        }
                        topLogProbs[from + r] = v;
                    }
                }
            }
        }
        return new PromptLogProbs(picked, topIds, topLogProbs);
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

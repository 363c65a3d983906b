package dev.claws.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.claws.model.ActivationObserver;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.ModelConfig;
import dev.claws.model.SliceGptLayout;
import dev.claws.model.TensorLayout;
import dev.claws.model.io.CheckpointWriter;
import dev.claws.model.io.DType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * SliceGPT for Qwen2 / LLaMA decoders (row-vector convention, x_k = residual stream at boundary k: x_{2i} enters
 * layer i, x_{2i+1} lies between its attention and MLP, x_{2L} enters the final norm):
 * <ol>
 * <li>norm fusion: every RMSNorm weight is folded into the linears that read the norm's output (input norm into
 *     q/k/v, post-attention norm into gate/up, final norm into lm_head; a tied head becomes an untied lm_head), and
 *     every norm becomes the weightless RMSN dividing by the original width;</li>
 * <li>PCA: for every boundary k below 2L, Q_k = eigenvectors of sum x_k^T x_k over the calibration tokens (float64);
 *     the final boundary keeps Q_{2L} = I, since the head is not sliced (do_slice_head=false);</li>
 * <li>rotate and slice to d' columns: embeddings E Q_0, readers W Q_k, writers Q_k^T W (and their biases),
 *     shortcut matrices Q_k^T Q_{k+1} on the residual path, all computed in float64.</li>
 * </ol>
 * The PCA follows {@link SliceGptPcaMode}: {@code SEQUENTIAL} (default) is the official {@code rotate_and_slice_sequential}:
 * the embeddings are mean-centred (W - mean over the hidden dim, in float64, as {@code fuse_modules} does for every
 * model; the untied head keeps the uncentred rows), and Q_k is the PCA of boundary k in the model already rotated and
 * sliced before k. All calibration sequences run as the rows of one pass of the base's decoder layer; at each boundary
 * the stream is observed, its PCA taken, and the stream projected onto the kept directions (x Q_k[:, :w] Q_k[:, :w]^T)
 * before the next block runs. That is the sliced model's computation written in the base's coordinates: RMSN of the
 * sliced x Q_k[:, :w] equals the base RMSNorm of the projection (both divide by the original width), and the shortcut
 * Q_k^T Q_{k+1} carries the projected residual. {@code SINGLE_PASS} takes every Q_k from the unsliced base instead,
 * without centring. RMSN uses the base's rms_norm_eps (SliceGPT hard-codes 1e-5).
 */
final class SliceGpt {

    /** SliceGPT's round_interval: the sliced width is a multiple of this. */
    static final int ROUND = 8;
    /** Embedding and head rows rotated per float64 chunk (bounds the temporaries for 150k-token vocabularies). */
    private static final int ROW_CHUNK = 16384;

    private SliceGpt() {
    }

    /** int((1 - r) d) rounded down to a multiple of 8, at least 8. */
    static int slicedWidth(ModelConfig base, double ratio) {
        int d = base.hiddenSize();
        if (d < ROUND) {
            throw new IllegalArgumentException("slicegpt needs hidden_size >= " + ROUND + ", got " + d);
        }
        int w = (int) ((1 - ratio) * d);
        w -= w % ROUND;
        return Math.max(ROUND, w);
    }

    static void write(Path base, Path out, ModelConfig config, int width, SliceGptPcaMode pca, List<long[]> calibration,
                      EngineOptions options, CompressionProgress progress) {
        try (NDManager root = Engines.newManager(options)) {
            write(base, out, config, width, pca, calibration, root, progress);
        }
    }

    /** {@link #write} with every array made under {@code root}, which holds no more arrays afterwards than before. */
    static void write(Path base, Path out, ModelConfig config, int width, SliceGptPcaMode pca, List<long[]> calibration,
                      NDManager root, CompressionProgress progress) {
        if (calibration == null || calibration.isEmpty()) {
            throw new IllegalArgumentException("calibration must hold at least one token sequence for slicegpt");
        }
        if (config.sliceGpt() != null) {
            throw new IllegalArgumentException("the base checkpoint is already SliceGPT-sliced; slice its base instead");
        }
        int d = config.hiddenSize();
        if (width < ROUND || width > d) {
            throw new IllegalArgumentException("sliced width must be in [" + ROUND + ", " + d + "], got " + width);
        }
        int layers = config.numHiddenLayers();
        Integer[] widths = new Integer[2 * layers + 1];
        java.util.Arrays.fill(widths, width);
        widths[2 * layers] = d;
        ModelConfig sliced = config.withSliceGpt(new SliceGptLayout(List.of(widths), config.rmsNormEps(), d));
        // the bases live only while the checkpoint is written; every product of the rotation lives in the manager of
        // the tensor being written (a basis is borrowed into it as a view, never used as a first operand itself)
        try (NDManager held = root.newSubManager()) {
            boolean sequential = pca != SliceGptPcaMode.SINGLE_PASS;
            List<NDArray> q = sequential ? sequentialBases(base, config, width, calibration, held, progress)
                    : bases(base, config, width, calibration, held, progress);
            progress.report(0.6, "write", "rotating and slicing the weights");
            writeRotated(base, out, config, sliced, q, sequential, held, progress);
        }
        progress.report(1.0, "write", "wrote " + out);
    }

    /** Q_0 .. Q_{2L-1}, each [d, width] in float64 (the leading principal directions). */
    private static List<NDArray> bases(Path base, ModelConfig config, int width, List<long[]> calibration,
                                       NDManager root, CompressionProgress progress) {
        int d = config.hiddenSize();
        int boundaries = 2 * config.numHiddenLayers();
        List<NDArray> grams = new ArrayList<>();
        try (NDManager calib = root.newSubManager()) {
            for (int k = 0; k < boundaries; k++) {
                grams.add(calib.zeros(new Shape(d, d), DataType.FLOAT64));
            }
            try (DecoderModel model = DecoderModel.load(base, calib)) {
                ActivationObserver observer = (layer, point, h) -> {
                    int k = point == ActivationObserver.Point.LAYER_INPUT ? 2 * layer : 2 * layer + 1;
                    if (k >= boundaries) {
                        return;
                    }
                    Cancellation.check();
                    NDArray x = h.toType(DataType.FLOAT64, true);
                    grams.get(k).addi(x.transpose().matMul(x));
                };
                for (int s = 0; s < calibration.size(); s++) {
                    Cancellation.check();
                    long[] ids = calibration.get(s);
                    if (ids == null || ids.length == 0) {
                        throw new IllegalArgumentException("calibration[" + s + "] must not be empty");
                    }
                    model.observe(ids, observer);
                    progress.report(0.3 * (s + 1) / calibration.size(), "calibrate",
                            "calibration sequence " + (s + 1) + " of " + calibration.size());
                }
            }
            List<NDArray> q = new ArrayList<>();
            for (int k = 0; k < boundaries; k++) {
                Cancellation.check();
                double[] basis = PcaBasis.of(grams.get(k).toDoubleArray(), d);
                try (NDManager tmp = root.newSubManager()) {
                    NDArray kept = tmp.create(basis, new Shape(d, d)).get(new NDIndex(":, :{}", width)).duplicate();
                    kept.attach(root);
                    q.add(kept);
                }
                progress.report(0.3 + 0.3 * (k + 1) / boundaries, "pca",
                        "principal directions of boundary " + (k + 1) + " of " + boundaries);
            }
            return Collections.unmodifiableList(q);
        }
    }

    /**
     * Q_0 .. Q_{2L-1} of the official sequential algorithm, each [d, width] float64: one pass of all calibration
     * sequences (as rows) through the base decoder, centring the embedding output and, at every boundary, taking the PCA
     * of the stream and projecting the stream onto the kept directions before the next block.
     */
    private static List<NDArray> sequentialBases(Path base, ModelConfig config, int width, List<long[]> calibration,
                                                 NDManager root, CompressionProgress progress) {
        int d = config.hiddenSize();
        int boundaries = 2 * config.numHiddenLayers();
        for (int s = 0; s < calibration.size(); s++) {
            long[] ids = calibration.get(s);
            if (ids == null || ids.length == 0) {
                throw new IllegalArgumentException("calibration[" + s + "] must not be empty");
            }
            if (ids.length != calibration.get(0).length) {
                throw new IllegalArgumentException("calibration sequences must all have one length for slicegpt's"
                        + " sequential PCA: calibration[" + s + "] has " + ids.length + " tokens, calibration[0] "
                        + calibration.get(0).length);
            }
        }
        List<NDArray> q = new ArrayList<>();
        try (DecoderModel model = DecoderModel.load(base, root)) {
            model.observe(calibration, new ActivationObserver() {
                @Override
                public void observe(int layer, Point point, NDArray residual) {
                    // the final boundary is not sliced (do_slice_head = false): nothing to compute
                }

                @Override
                public NDArray edit(int layer, Point point, NDArray residual) {
                    int k = point == Point.LAYER_INPUT ? 2 * layer : 2 * layer + 1;
                    if (k >= boundaries) {
                        return residual;
                    }
                    Cancellation.check();
                    // residual is owned by the layer's manager and is the first operand: every product lands there
                    NDArray x = k == 0 ? residual.sub(residual.mean(new int[] {-1}, true)) : residual;
                    NDArray x64 = x.toType(DataType.FLOAT64, false);
                    double[] basis = PcaBasis.of(x64.transpose().matMul(x64).toDoubleArray(), d);
                    NDArray kept;
                    try (NDManager tmp = root.newSubManager()) {
                        kept = tmp.create(basis, new Shape(d, d)).get(new NDIndex(":, :{}", width)).duplicate();
                        kept.attach(root);
                    }
                    q.add(kept);
                    progress.report(0.6 * (k + 1) / boundaries, "calibrate", "calibration pass and principal directions"
                            + " of boundary " + (k + 1) + " of " + boundaries + " (sequential)");
                    if (width == d) {
                        return x; // nothing sliced: the projection is the identity
                    }
                    NDArray keep = kept.get(x.getManager(), new NDIndex(":")).toType(DataType.FLOAT32, false);
                    return x.matMul(keep).matMul(keep.transpose());
                }
            });
        }
        if (q.size() != boundaries) {
            throw new IllegalStateException("sequential PCA saw " + q.size() + " of " + boundaries + " boundaries");
        }
        return Collections.unmodifiableList(q);
    }

    private static void writeRotated(Path base, Path out, ModelConfig config, ModelConfig sliced, List<NDArray> q,
                                     boolean centreEmbeddings, NDManager root, CompressionProgress progress) {
        int layers = config.numHiddenLayers();
        Map<String, long[]> shapes = TensorLayout.of(sliced);
        try (BaseTensors source = BaseTensors.open(base, config); TensorStream stream = new TensorStream(root)) {
            DType dtype = source.dtype();
            ModelConfig written = sliced.withTorchDtype(dtype.torchName());
            LayerProgress layerProgress = new LayerProgress(progress, layers, 0.6, 0.4, "write", "rotating");
            CheckpointWriter.write(out, written::write, shapes, name -> {
                int layer = layerProgress.before(name);
                NDManager m = stream.next();
                Rotation r = new Rotation(q, m);
                NDArray t = layer < 0 ? outer(name, config, source, r, m, centreEmbeddings)
                        : inner(name, layer, source, r, m);
                return t.toType(DataType.FLOAT32, false);
            }, false, dtype, LayerNames.SHARD_BYTES, CheckpointFiles.nonWeightFiles(base));
        }
    }

    /** Embedding and head. */
    private static NDArray outer(String name, ModelConfig config, BaseTensors source, Rotation r, NDManager m,
                                 boolean centreEmbeddings) {
        int last = 2 * config.numHiddenLayers();
        if (name.equals("model.embed_tokens.weight")) {
            return r.readInChunks(source.read(name, m), 0, centreEmbeddings);
        }
        if (name.equals("lm_head.weight")) {
            NDArray head = source.read(config.tieWordEmbeddings() ? "model.embed_tokens.weight" : name, m);
            NDArray gamma = source.read("model.norm.weight", m);
            return r.readInChunks(head.mul(gamma), last, false);
        }
        throw new IllegalStateException("unexpected tensor " + name);
    }

    private static NDArray inner(String name, int layer, BaseTensors source, Rotation r, NDManager m) {
        String p = "model.layers." + layer + ".";
        String leaf = LayerNames.leaf(name);
        int in = 2 * layer;
        int mid = 2 * layer + 1;
        int next = 2 * layer + 2;
        switch (leaf) {
            case "self_attn.q_proj.weight":
            case "self_attn.k_proj.weight":
            case "self_attn.v_proj.weight":
                return r.reader(source.read(name, m).mul(source.read(p + "input_layernorm.weight", m)), in);
            case "self_attn.o_proj.weight":
                return r.writer(source.read(name, m), mid);
            case "self_attn.o_proj.bias":
                return r.writerBias(source.read(name, m), mid);
            case "mlp.gate_proj.weight":
            case "mlp.up_proj.weight":
                return r.reader(source.read(name, m).mul(source.read(p + "post_attention_layernorm.weight", m)), mid);
            case "mlp.down_proj.weight":
                return r.writer(source.read(name, m), next);
            case "mlp.down_proj.bias":
                return r.writerBias(source.read(name, m), next);
            case "attn_shortcut_Q":
                return r.shortcut(in, mid);
            case "mlp_shortcut_Q":
                return r.shortcut(mid, next);
            default:
                // q/k/v and gate/up biases act after the input-side rotation: unchanged
                return source.read(name, m);
        }
    }

    /** Applies the boundary bases Q_k ([d, w_k], float64; k = 2L, beyond the list, is the identity). */
    private static final class Rotation {
        private final List<NDArray> q;
        private final NDManager m;

        Rotation(List<NDArray> q, NDManager m) {
            this.q = q;
            this.m = m;
        }

        /** Q_k as a view owned by this tensor's manager (null for the identity), so products land there. */
        private NDArray basis(int k) {
            return k < q.size() ? q.get(k).get(m, new NDIndex(":")) : null;
        }

        /** A linear reading boundary k ([out, d]): W Q_k -> [out, w_k]. */
        NDArray reader(NDArray w, int k) {
            NDArray b = basis(k);
            return b == null ? w : w.toType(DataType.FLOAT64, false).matMul(b);
        }

        /** A linear writing boundary k ([d, in]): Q_k^T W -> [w_k, in]. */
        NDArray writer(NDArray w, int k) {
            NDArray b = basis(k);
            return b == null ? w : b.transpose().matMul(w.toType(DataType.FLOAT64, false));
        }

        /** The bias of a writer ([d]): b Q_k -> [w_k]. */
        NDArray writerBias(NDArray bias, int k) {
            NDArray b = basis(k);
            return b == null ? bias : bias.toType(DataType.FLOAT64, false).reshape(1, -1).matMul(b).reshape(-1);
        }

        /** The residual path from boundary k to j: Q_k^T Q_j -> [w_k, w_j]. */
        NDArray shortcut(int k, int j) {
            NDArray from = basis(k);
            NDArray to = basis(j);
            if (to == null) {
                return from.transpose().duplicate();
            }
            return from.transpose().matMul(to);
        }

        /**
         * {@link #reader} for [V, d] matrices, a bounded number of rows at a time; with {@code centre} each row first
         * loses its mean (SliceGPT's embedding centring, in float64).
         */
        NDArray readInChunks(NDArray w, int k, boolean centre) {
            NDArray b = basis(k);
            if (b == null && !centre) {
                return w;
            }
            long rows = w.getShape().get(0);
            NDList parts = new NDList();
            for (long from = 0; from < rows; from += ROW_CHUNK) {
                long to = Math.min(rows, from + ROW_CHUNK);
                try (NDManager chunk = m.newSubManager()) {
                    NDArray part = w.get(chunk, new NDIndex("{}:{}", from, to)).toType(DataType.FLOAT64, false);
                    if (centre) {
                        part = part.sub(part.mean(new int[] {-1}, true));
                    }
                    if (b != null) {
                        part = part.matMul(b.get(chunk, new NDIndex(":")));
                    }
                    part = part.toType(DataType.FLOAT32, false);
                    part.attach(m);
                    parts.add(part);
                }
            }
            return NDArrays.concat(parts, 0);
        }
    }
}

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
 * Deviation from SliceGPT: every Q_k is the PCA of the <em>base</em> model's activations (one calibration pass), not of
 * the partially sliced model's (SliceGPT's sequential rotate-and-slice). The embedding mean subtraction SliceGPT applies
 * to all models is left out: it is only an identity for LayerNorm models, and without it a rotation that keeps the full
 * width reproduces the base exactly. RMSN uses the base's rms_norm_eps (SliceGPT hard-codes 1e-5).
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

    static void write(Path base, Path out, ModelConfig config, int width, List<long[]> calibration,
                      EngineOptions options, CompressionProgress progress) {
        try (NDManager root = Engines.newManager(options)) {
            write(base, out, config, width, calibration, root, progress);
        }
    }

    /** {@link #write} with every array made under {@code root}, which holds no more arrays afterwards than before. */
    static void write(Path base, Path out, ModelConfig config, int width, List<long[]> calibration,
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
            List<NDArray> q = bases(base, config, width, calibration, held, progress);
            progress.report(0.6, "write", "rotating and slicing the weights");
            writeRotated(base, out, config, sliced, q, held, progress);
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

    private static void writeRotated(Path base, Path out, ModelConfig config, ModelConfig sliced, List<NDArray> q,
                                     NDManager root, CompressionProgress progress) {
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
                NDArray t = layer < 0 ? outer(name, config, source, r, m) : inner(name, layer, source, r, m);
                return t.toType(DataType.FLOAT32, false);
            }, false, dtype, LayerNames.SHARD_BYTES, CheckpointFiles.nonWeightFiles(base));
        }
    }

    /** Embedding and head. */
    private static NDArray outer(String name, ModelConfig config, BaseTensors source, Rotation r, NDManager m) {
        int last = 2 * config.numHiddenLayers();
        if (name.equals("model.embed_tokens.weight")) {
            return r.readInChunks(source.read(name, m), 0);
        }
        if (name.equals("lm_head.weight")) {
            NDArray head = source.read(config.tieWordEmbeddings() ? "model.embed_tokens.weight" : name, m);
            NDArray gamma = source.read("model.norm.weight", m);
            return r.readInChunks(head.mul(gamma), last);
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

        /** {@link #reader} for [V, d] matrices, a bounded number of rows at a time. */
        NDArray readInChunks(NDArray w, int k) {
            NDArray b = basis(k);
            if (b == null) {
                return w;
            }
            long rows = w.getShape().get(0);
            NDList parts = new NDList();
            for (long from = 0; from < rows; from += ROW_CHUNK) {
                long to = Math.min(rows, from + ROW_CHUNK);
                try (NDManager chunk = m.newSubManager()) {
                    NDArray part = w.get(chunk, new NDIndex("{}:{}", from, to)).toType(DataType.FLOAT64, false)
                            .matMul(b).toType(DataType.FLOAT32, false);
                    part.attach(m);
                    parts.add(part);
                }
            }
            return NDArrays.concat(parts, 0);
        }
    }
}

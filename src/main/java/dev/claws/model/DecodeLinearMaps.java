package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The linear maps of generation's decode steps (one new token per row, up to {@link LinearMaps#FEW_ROWS} rows): each
 * projection and the LM head as a {@link DecodeMatrix} in the chosen {@link WeightsDtype}, multiplied on the host with
 * the Vector API over output rows on the engine's thread count ({@link RowParallel}), at close to the memory
 * bandwidth where PyTorch's one-row sgemm reaches about half of it (DecodeKernelBenchmark). The input row is copied
 * from the engine and the product copied back as an array of {@code x}'s manager; everything else in the step stays
 * in the engine. Other shapes (prompts, more rows) go to {@link LinearMaps#DENSE}.
 * <p>
 * Needs the incubator module jdk.incubator.vector ({@code --add-modules jdk.incubator.vector}); see {@link #available()}.
 */
final class DecodeLinearMaps implements LinearMaps {

    private static RowParallel pool;

    private final WeightsDtype dtype;
    private final DecodeMatrix[][] layers;
    private final DecodeMatrix head;
    private final RowParallel rows;

    private DecodeLinearMaps(WeightsDtype dtype, DecodeMatrix[][] layers, DecodeMatrix head, RowParallel rows) {
        this.dtype = dtype;
        this.layers = layers;
        this.head = head;
        this.rows = rows;
    }

    /** Whether the JVM was started with the Vector API module (--add-modules jdk.incubator.vector). */
    static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Builds every layer's decode matrices from the float32 engine weights (a copy for bfloat16 and int8). */
    static DecodeLinearMaps create(DecoderWeights weights, WeightsDtype dtype) {
        DecodeMatrix[][] layers = new DecodeMatrix[weights.layers.size()][];
        for (int l = 0; l < layers.length; l++) {
            LayerWeights w = weights.layers.get(l);
            layers[l] = new DecodeMatrix[] {DecodeMatrix.of(w.qkv(), dtype), DecodeMatrix.of(w.o(), dtype),
                    DecodeMatrix.of(w.gateUp(), dtype), DecodeMatrix.of(w.down(), dtype)};
        }
        return new DecodeLinearMaps(dtype, layers, DecodeMatrix.of(weights.lmHead, dtype), shared());
    }

    /**
     * The row pool every model's decode steps share, made once with the configured intra-op thread count
     * ({@link Engines#configuredThreads}), not the current one, which the decode steps themselves switch.
     */
    private static synchronized RowParallel shared() {
        if (pool == null) {
            pool = new RowParallel(Engines.configuredThreads());
        }
        return pool;
    }

    WeightsDtype dtype() {
        return dtype;
    }

    /** Bytes of the matrices held beside the engine weights (0 for float32 read in place, unless rows were padded). */
    long extraBytes() {
        long bytes = 0;
        for (DecodeMatrix[] layer : layers) {
            for (DecodeMatrix m : layer) {
                bytes += m.ownedBytes();
            }
        }
        return bytes + head.ownedBytes();
    }

    @Override
    public NDArray apply(int layer, Projection projection, NDArray x, NDArray weight, NDArray bias) {
        Shape shape = x.getShape();
        DecodeMatrix m = layer < 0 ? head : layers[layer][projection.ordinal()];
        if (shape.dimension() != 3 || shape.get(1) != 1 || shape.get(0) > FEW_ROWS || shape.get(2) != m.in()) {
            return DENSE.apply(layer, projection, x, weight, bias);
        }
        int n = (int) shape.get(0);
        int in = m.in();
        int padded = m.paddedIn();
        int out = m.out();
        // the rows side by side in one input and one output buffer; the input is copied only to pad its rows
        float[] xs = x.toFloatArray();
        if (padded != in) {
            float[] flat = xs;
            xs = new float[n * padded];
            for (int r = 0; r < n; r++) {
                System.arraycopy(flat, r * in, xs, r * padded, in);
            }
        }
        float[] input = xs;
        float[] y = new float[n * out];
        rows.run(out, DecodeMatrix.grain(out, rows.threads()), (from, to) -> {
            for (int r = 0; r < n; r++) {
                m.multiply(input, r * padded, y, r * out, from, to);
            }
        });
        NDArray result = x.getManager().create(y, new Shape(n, 1, out));
        return bias == null ? result : result.add(bias);
    }
}

package dev.claws.model.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.claws.model.DecodeMatrix;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.LinearMaps;
import dev.claws.model.RowParallel;
import dev.claws.model.WeightsDtype;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * One-row decode products per projection shape of a real checkpoint: PyTorch's linear() on a [1, 1, in] row (what a
 * solo decode step ran before) against the Vector API kernels of {@link DecodeMatrix} in float32 (engine memory read in
 * place, and a heap copy), bfloat16 and int8, split over output rows on --threads threads ({@link RowParallel}).
 * Each round multiplies one random row by every layer's weight of a kind in turn (so, as in a decode step, the weights
 * come from memory, not cache), kernels interleaved round by round; prints median (min..max) GB/s of weight bytes read.
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.mainClass=dev.claws.model.tools.DecodeKernelBenchmark \
 *   -Dexec.args="--model /tmp/smollm2-hf --threads 2 --rounds 9"
 * </pre>
 */
public final class DecodeKernelBenchmark {

    private DecodeKernelBenchmark() {
    }

    private interface Kernel {
        void run(int layer);
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(args, Set.of());
        Path dir = Path.of(cl.require("model"));
        int threads = cl.getInt("threads", 2);
        int rounds = cl.getInt("rounds", 9);
        EngineOptions options = new EngineOptions("cpu", threads);
        Engines.pytorch(options);
        RowParallel pool = new RowParallel(threads);
        try (DecoderModel model = DecoderModel.load(dir, options)) {
            System.out.printf(Locale.ROOT, "model %s, %d threads, %d rounds, vector lanes %d (float); "
                    + "GB/s of weight bytes read per one-row product, median (min..max)%n", dir, threads, rounds,
                    DecodeMatrix.paddedWidth(1) / 4);
            for (LinearMaps.Projection p : LinearMaps.Projection.values()) {
                measure(model, p, pool, rounds);
            }
        }
    }

    private static void measure(DecoderModel model, LinearMaps.Projection p, RowParallel pool, int rounds) {
        int layers = p == LinearMaps.Projection.LM_HEAD ? 1 : model.layerCount();
        long[] shape = model.weightShape(0, p);
        int out = (int) shape[0];
        int in = (int) shape[1];
        String[] names = {"torch f32 linear", "java f32 in place", "java f32 heap", "java bf16", "java int8"};
        long[] bytes = new long[names.length];
        List<Kernel> kernels = new ArrayList<>();
        Random random = new Random(17);
        float[] x = new float[DecodeMatrix.paddedWidth(in)];
        for (int k = 0; k < in; k++) {
            x[k] = (float) random.nextGaussian();
        }
        float[] y = new float[out];
        try (NDManager m = Engines.newManager(new EngineOptions("cpu", pool.threads()))) {
            NDArray xs = m.create(Arrays.copyOf(x, in), new Shape(1, 1, in));
            kernels.add(layer -> {
                try (NDManager step = m.newSubManager()) {
                    NDArray row = xs.get(step, new NDIndex(":"));
                    Linear.linear(row, model.projectionWeight(layer, p), null).singletonOrThrow().getShape();
                }
            });
            bytes[0] = (long) out * in * Float.BYTES * layers;
            Object[][] variants = {{0, true}, {1, false}, {2, false}, {3, false}};
            for (int v = 0; v < 4; v++) {
                DecodeMatrix[] mats = new DecodeMatrix[layers];
                for (int l = 0; l < layers; l++) {
                    NDArray w = model.projectionWeight(l, p);
                    mats[l] = switch (v) {
                        case 0 -> DecodeMatrix.of(w, WeightsDtype.FLOAT32);
                        case 1 -> DecodeMatrix.heapFloat32(w);
                        case 2 -> DecodeMatrix.of(w, WeightsDtype.BFLOAT16);
                        default -> DecodeMatrix.of(w, WeightsDtype.INT8);
                    };
                    bytes[v + 1] += mats[l].bytes();
                }
                int grain = DecodeMatrix.grain(out, pool.threads());
                kernels.add(layer -> pool.run(out, grain, (from, to) -> mats[layer].multiply(x, y, from, to)));
            }
            double[][] gbs = new double[names.length][rounds];
            for (int r = -1; r < rounds; r++) {
                for (int k = 0; k < kernels.size(); k++) {
                    long t0 = System.nanoTime();
                    for (int l = 0; l < layers; l++) {
                        kernels.get(k).run(l);
                    }
                    long ns = System.nanoTime() - t0;
                    if (r >= 0) {
                        gbs[k][r] = bytes[k] / (double) ns;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s [%d, %d] x %d layers%n", p, out, in, layers);
            for (int k = 0; k < names.length; k++) {
                double[] s = gbs[k].clone();
                Arrays.sort(s);
                System.out.printf(Locale.ROOT, "  %-18s %6.1f (%5.1f..%5.1f) GB/s  %7.1f MB%n", names[k],
                        s[s.length / 2], s[0], s[s.length - 1], bytes[k] / 1e6);
            }
        }
    }
}

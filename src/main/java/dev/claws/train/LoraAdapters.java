package dev.claws.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import dev.claws.model.DecoderModel;
import dev.claws.model.Engines;
import dev.claws.model.LinearMaps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The LoRA adapters of a model, applied through {@link LinearMaps} so training runs the model's one decoder layer:
 * each targeted projection adds (alpha / rank) * dropout(x) A^T B^T to the frozen base product (peft's lora.Linear).
 * For the fused q/k/v and gate/up weights the slices' deltas come from one product (see {@link #apply}), zero for
 * slices not targeted.
 * <p>
 * A is [rank, in] and B [out, rank] as peft stores them; on the engine they are kept transposed (A^T [in, rank],
 * B^T [rank, out]) so every product has the step's activation as first operand and lands in the step's manager. The
 * parameters require gradients; the trainer replaces them after each optimizer step ({@link #parameter} /
 * {@link #replace}), so this object's manager always holds exactly two arrays per adapter.
 */
public final class LoraAdapters implements LinearMaps, AutoCloseable {

    /** One adapter: layer, target, input width and output width (of its slice). */
    public record Site(int layer, LoraTarget target, long in, long out) {
    }

    private static final NDIndex ALL = new NDIndex(":");

    private final LoraConfig config;
    private final NDManager manager;
    private final Map<Key, Integer> index = new LinkedHashMap<>();
    private final List<Site> sites = new ArrayList<>();
    /** Per site: {A^T, B^T}. */
    private final List<NDArray[]> params = new ArrayList<>();
    /** Per layer, the output width of every target's slice (also of slices without an adapter). */
    private final List<long[]> sliceWidths = new ArrayList<>();
    private volatile boolean training;

    private record Key(int layer, LoraTarget target) {
    }

    private LoraAdapters(DecoderModel model, LoraConfig config, NDManager manager) {
        this.config = config;
        this.manager = manager;
        for (int l = 0; l < model.layerCount(); l++) {
            long[] widths = new long[LoraTarget.values().length];
            for (LoraTarget t : LoraTarget.values()) {
                widths[t.ordinal()] = model.sliceWidths(l, t.projection())[t.slice()];
            }
            sliceWidths.add(widths);
            for (LoraTarget t : LoraTarget.values()) {
                if (config.targets().contains(t)) {
                    long in = model.weightShape(l, t.projection())[1];
                    long out = widths[t.ordinal()];
                    index.put(new Key(l, t), sites.size());
                    sites.add(new Site(l, t, in, out));
                }
            }
        }
    }

    /**
     * Fresh adapters as peft initialises them: A ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_ with a = sqrt(5)),
     * B = 0, drawn from {@code seed} site by site (layer, then q, k, v, o, gate, up, down), A row-major.
     * The arrays live in a new sub-manager of {@code parent}, freed by {@link #close()}.
     */
    public static LoraAdapters initialise(DecoderModel model, LoraConfig config, long seed, NDManager parent) {
        LoraAdapters a = new LoraAdapters(model, config, parent.newSubManager());
        SplittableRandom random = new SplittableRandom(seed);
        for (Site s : a.sites) {
            double bound = 1.0 / Math.sqrt(s.in());
            float[] values = new float[(int) (config.rank() * s.in())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            a.params.add(new NDArray[] {null, null});
            a.set(a.params.size() - 1, values, new float[(int) (s.out() * config.rank())]);
        }
        return a;
    }

    public LoraConfig config() {
        return config;
    }

    public List<Site> sites() {
        return Collections.unmodifiableList(sites);
    }

    /** Parameters (two per site: A^T then B^T). */
    public int parameterCount() {
        return 2 * sites.size();
    }

    /** Trainable scalars: sum over sites of rank * (in + out). */
    public long trainableScalars() {
        long n = 0;
        for (Site s : sites) {
            n += (long) config.rank() * (s.in() + s.out());
        }
        return n;
    }

    /** Arrays this object's manager holds (two per site while no step is running). */
    public int heldArrays() {
        return manager.getManagedArrays().size();
    }

    NDManager manager() {
        return manager;
    }

    /** Whether dropout is applied (training) or not (evaluation). */
    public void training(boolean on) {
        training = on;
    }

    /** Parameter {@code i} (site i/2; A^T for even i, B^T for odd) as it lives on the engine. */
    NDArray parameter(int i) {
        return params.get(i / 2)[i % 2];
    }

    /** Replaces parameter {@code i} by {@code values} (same layout), closing the old array and its gradient. */
    void replace(int i, float[] values) {
        NDArray[] p = params.get(i / 2);
        NDArray old = p[i % 2];
        p[i % 2] = fresh(values, old.getShape());
        old.close();
    }

    /** A [rank, in] of site {@code s}, row-major, as peft stores lora_A.weight. */
    public float[] a(int s) {
        return transpose(params.get(s)[0].toFloatArray(), (int) sites.get(s).in(), config.rank());
    }

    /** B [out, rank] of site {@code s}, row-major, as peft stores lora_B.weight. */
    public float[] b(int s) {
        return transpose(params.get(s)[1].toFloatArray(), config.rank(), (int) sites.get(s).out());
    }

    /** Sets site {@code s} from A [rank, in] and B [out, rank] (row-major, peft's layout). */
    public void set(int s, float[] a, float[] b) {
        Site site = sites.get(s);
        int r = config.rank();
        if (a.length != r * site.in() || b.length != site.out() * r) {
            throw new IllegalArgumentException("adapter " + site + " needs A [" + r + ", " + site.in() + "] and B ["
                    + site.out() + ", " + r + "]");
        }
        NDArray[] p = params.get(s);
        NDArray[] old = p.clone();
        p[0] = fresh(transpose(a, r, (int) site.in()), new Shape(site.in(), r));
        p[1] = fresh(transpose(b, (int) site.out(), r), new Shape(r, site.out()));
        for (NDArray o : old) {
            if (o != null) {
                o.close();
            }
        }
    }

    private NDArray fresh(float[] values, Shape shape) {
        NDArray p = manager.create(values, shape);
        p.setRequiresGradient(true);
        return p;
    }

    /** [rows, cols] row-major -> [cols, rows] row-major. */
    static float[] transpose(float[] x, int rows, int cols) {
        float[] out = new float[x.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[j * rows + i] = x[i * cols + j];
            }
        }
        return out;
    }

    /**
     * The base product plus the adapters' deltas. All targeted slices of a fused projection go through one product with
     * a block-diagonal B: u = [dropout_1(x) A_1^T, ..., dropout_k(x) A_k^T] * (alpha / r) is [..., k r], and
     * u [B_1^T 0 ..; 0 B_2^T ..; ..] (zero columns for untargeted slices) is the concatenated delta. So the scaling
     * multiplies the rank-sized u rather than the [..., out] delta, and no full-width delta is concatenated: fewer
     * and smaller ops forward and backward than one delta per slice (same sums; peft computes each slice's
     * B(A(dropout(x))) * scaling).
     */
    @Override
    public NDArray apply(int layer, Projection projection, NDArray x, NDArray weight, NDArray bias) {
        NDArray base = LinearMaps.DENSE.apply(layer, projection, x, weight, bias);
        if (projection == Projection.LM_HEAD) {
            return base;
        }
        List<LoraTarget> slices = LoraTarget.of(projection);
        long[] widths = sliceWidths.get(layer);
        long total = 0;
        for (LoraTarget t : slices) {
            total += widths[t.ordinal()];
        }
        NDManager step = x.getManager();
        int r = config.rank();
        NDList a = new NDList();
        NDList b = new NDList();
        long offset = 0;
        for (LoraTarget t : slices) {
            long w = widths[t.ordinal()];
            Integer s = index.get(new Key(layer, t));
            if (s != null) {
                // views owned by the step, so concatenations of parameters land there (autograd reaches p through them)
                NDArray[] p = params.get(s);
                a.add(p[0].get(step, ALL));
                NDList row = new NDList();
                if (offset > 0) {
                    row.add(step.zeros(new Shape(r, offset)));
                }
                row.add(p[1].get(step, ALL));
                if (total - offset - w > 0) {
                    row.add(step.zeros(new Shape(r, total - offset - w)));
                }
                b.add(row.size() == 1 ? row.get(0) : NDArrays.concat(row, 1));
            }
            offset += w;
        }
        if (a.isEmpty()) {
            return base;
        }
        NDArray u;
        if (dropsOut()) {
            NDList parts = new NDList();
            for (NDArray at : a) {
                parts.add(dropout(x).matMul(at)); // a fresh mask per target, as peft's per-module dropout
            }
            u = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, -1);
        } else {
            u = x.matMul(a.size() == 1 ? a.get(0) : NDArrays.concat(a, 1));
        }
        NDArray bt = b.size() == 1 ? b.get(0) : NDArrays.concat(b, 0);
        return base.add(u.mul(Engines.scalar(u, config.scaling())).matMul(bt));
    }

    private boolean dropsOut() {
        return training && config.dropout() > 0;
    }

    /** Inverted dropout (torch.nn.functional.dropout) on the adapter input, masks from the engine's seeded generator. */
    private NDArray dropout(NDArray x) {
        return Dropout.dropout(x, (float) config.dropout(), true).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}

package dev.claws.compress;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.ModelConfig;
import dev.claws.model.TensorLayout;
import dev.claws.model.io.CheckpointWriter;
import dev.claws.model.io.DType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * RandomPruneNet (calibration-free structured pruning, the random variant of PruneNet): every layer keeps
 * {@code k = (int)((1 - r) * I)} of its I FFN neurons, drawn uniformly without replacement; gate/up rows and
 * down_proj columns of the dropped neurons are removed. One seeded RNG draws layer 0, 1, ... in order.
 *
 * <p>Extension (off by default): whole key/value groups are removed as well, each with the query heads that share it,
 * keeping {@code max(1, (int)((1 - r) * K))} of the K groups in every layer (drawn by a second RNG from the same seed,
 * so the FFN draw does not depend on the option). Every layer keeps the same number of heads, so the result still has
 * one num_attention_heads / num_key_value_heads (with an explicit head_dim).
 */
final class RandomPruneNet {

    /** Salt for the attention-group RNG, so it differs from the FFN one for the same seed. */
    private static final long GROUP_SALT = 0x5DEECE66DL;

    /**
     * @param config       the pruned model's config
     * @param neurons      per layer: kept FFN neuron indices, ascending
     * @param groups       per layer: kept key/value group indices, ascending (null when heads are not pruned)
     */
    record Plan(ModelConfig config, List<int[]> neurons, List<int[]> groups) {
    }

    private RandomPruneNet() {
    }

    static Plan plan(ModelConfig base, double ratio, long seed, boolean pruneHeads) {
        Random rnd = new Random(seed);
        List<int[]> neurons = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < base.numHiddenLayers(); i++) {
            int width = base.intermediateSize(i);
            int keep = (int) ((1 - ratio) * width);
            if (keep < 1) {
                throw new IllegalArgumentException("ratio " + ratio + " leaves no FFN neuron of layer " + i
                        + " (intermediate size " + width + "); ratio must be in (0, " + (1 - 1.0 / width) + "]");
            }
            neurons.add(draw(rnd, width, keep));
            sizes.add(keep);
        }
        ModelConfig pruned = base.withIntermediateSizes(sizes);
        List<int[]> groups = null;
        if (pruneHeads) {
            int kv = base.numKeyValueHeads();
            int keep = Math.max(1, (int) ((1 - ratio) * kv));
            Random groupRnd = new Random(seed ^ GROUP_SALT);
            groups = new ArrayList<>();
            for (int i = 0; i < base.numHiddenLayers(); i++) {
                groups.add(draw(groupRnd, kv, keep));
            }
            pruned = new ModelConfig(pruned.architecture(), pruned.hiddenSize(), pruned.numHiddenLayers(),
                    keep * base.kvGroups(), keep, pruned.headDim(), pruned.intermediateSizes(), pruned.vocabSize(),
                    pruned.maxPositionEmbeddings(), pruned.rmsNormEps(), pruned.ropeTheta(), pruned.ropeScaling(),
                    pruned.tieWordEmbeddings(), pruned.attentionBias(), pruned.mlpBias(), pruned.bosTokenId(),
                    pruned.eosTokenIds(), pruned.torchDtype(), pruned.sliceGpt(), pruned.extraJson());
        }
        return new Plan(pruned, neurons, groups);
    }

    /** {@code k} distinct indices drawn uniformly from [0, n) (partial Fisher-Yates), sorted ascending. */
    static int[] draw(Random rnd, int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] kept = Arrays.copyOf(all, k);
        Arrays.sort(kept);
        return kept;
    }

    /** Writes the pruned checkpoint into {@code out} (created; must not exist). */
    static void write(Path base, Path out, ModelConfig baseConfig, Plan plan, EngineOptions options,
                      CompressionProgress progress) {
        ModelConfig config = plan.config();
        int layers = config.numHiddenLayers();
        Map<String, long[]> shapes = TensorLayout.of(config);
        try (NDManager root = Engines.newManager(options);
             BaseTensors source = BaseTensors.open(base, baseConfig);
             TensorStream stream = new TensorStream(root)) {
            DType dtype = source.dtype();
            ModelConfig written = config.withTorchDtype(dtype.torchName());
            LayerProgress layerProgress = new LayerProgress(progress, layers, 0, 1, "prune", "pruning");
            CheckpointWriter.write(out, written::write, shapes, name -> {
                int layer = layerProgress.before(name);
                NDManager m = stream.next();
                NDArray t = source.read(name, m);
                return layer < 0 ? t : prune(name, layer, t, plan, baseConfig, m);
            }, false, dtype, LayerNames.SHARD_BYTES, CheckpointFiles.nonWeightFiles(base));
        }
        progress.report(1.0, "prune", "wrote " + out);
    }

    private static NDArray prune(String name, int layer, NDArray t, Plan plan, ModelConfig base, NDManager m) {
        NDArray neurons = m.create(toLongs(plan.neurons().get(layer)));
        String leaf = LayerNames.leaf(name);
        switch (leaf) {
            case "mlp.gate_proj.weight":
            case "mlp.up_proj.weight":
            case "mlp.gate_proj.bias":
            case "mlp.up_proj.bias":
                return t.get(new NDIndex("{}", neurons));
            case "mlp.down_proj.weight":
                return t.get(new NDIndex(":, {}", neurons));
            default:
                break;
        }
        if (plan.groups() == null) {
            return t;
        }
        int[] groups = plan.groups().get(layer);
        int hd = base.headDim();
        NDArray qRows = m.create(headRows(groups, base.kvGroups(), hd));
        NDArray kvRows = m.create(headRows(groups, 1, hd));
        switch (leaf) {
            case "self_attn.q_proj.weight":
            case "self_attn.q_proj.bias":
                return t.get(new NDIndex("{}", qRows));
            case "self_attn.k_proj.weight":
            case "self_attn.k_proj.bias":
            case "self_attn.v_proj.weight":
            case "self_attn.v_proj.bias":
                return t.get(new NDIndex("{}", kvRows));
            case "self_attn.o_proj.weight":
                return t.get(new NDIndex(":, {}", qRows));
            default:
                return t;
        }
    }

    /** Rows of the projections that belong to the kept groups: heads g*perGroup .. g*perGroup+perGroup-1. */
    private static long[] headRows(int[] groups, int headsPerGroup, int headDim) {
        int span = headsPerGroup * headDim;
        long[] rows = new long[groups.length * span];
        int n = 0;
        for (int g : groups) {
            for (int r = 0; r < span; r++) {
                rows[n++] = (long) g * span + r;
            }
        }
        return rows;
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}

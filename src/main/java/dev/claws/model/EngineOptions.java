package dev.claws.model;

/**
 * How the tensor engine runs: on which device and with how many intra-op threads, and how generation's decode steps
 * hold the projection weights.
 *
 * @param device         {@code cpu} or {@code gpu} (the first CUDA device)
 * @param intraOpThreads PyTorch intra-op threads; 0 keeps PyTorch's own default (one per core, as the engine had when
 *                       it first loaded)
 * @param decodeWeights  the weights of one-row decode steps on the CPU ({@link DecodeLinearMaps}): float32 (default),
 *                       bfloat16 or int8; prompts, scoring, evaluation and training always run float32 in the engine
 */
public record EngineOptions(String device, int intraOpThreads, WeightsDtype decodeWeights) {

    public EngineOptions {
        if (device == null || !(device.equals("cpu") || device.equals("gpu"))) {
            throw new IllegalArgumentException("device must be 'cpu' or 'gpu', got '" + device + "'");
        }
        if (intraOpThreads < 0 || intraOpThreads > 1024) {
            throw new IllegalArgumentException("intraOpThreads must be in [0, 1024], got " + intraOpThreads);
        }
        if (decodeWeights == null) {
            throw new IllegalArgumentException("decodeWeights must be one of float32, bfloat16, int8");
        }
    }

    /** float32 decode weights. */
    public EngineOptions(String device, int intraOpThreads) {
        this(device, intraOpThreads, WeightsDtype.FLOAT32);
    }

    public static EngineOptions cpu() {
        return new EngineOptions("cpu", 0);
    }

    public static EngineOptions cpu(int threads) {
        return new EngineOptions("cpu", threads);
    }

    /** These options with decode steps holding their weights in {@code dtype}. */
    public EngineOptions withDecodeWeights(WeightsDtype dtype) {
        return new EngineOptions(device, intraOpThreads, dtype);
    }
}

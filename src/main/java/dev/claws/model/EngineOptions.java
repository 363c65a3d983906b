package dev.claws.model;

/**
 * How the tensor engine runs: on which device and with how many intra-op threads.
 *
 * @param device         {@code cpu} or {@code gpu} (the first CUDA device)
 * @param intraOpThreads PyTorch intra-op threads; 0 keeps PyTorch's own default (one per core)
 */
public record EngineOptions(String device, int intraOpThreads) {

    public EngineOptions {
        if (device == null || !(device.equals("cpu") || device.equals("gpu"))) {
            throw new IllegalArgumentException("device must be 'cpu' or 'gpu', got '" + device + "'");
        }
        if (intraOpThreads < 0 || intraOpThreads > 1024) {
            throw new IllegalArgumentException("intraOpThreads must be in [0, 1024], got " + intraOpThreads);
        }
    }

    public static EngineOptions cpu() {
        return new EngineOptions("cpu", 0);
    }

    public static EngineOptions cpu(int threads) {
        return new EngineOptions("cpu", threads);
    }
}

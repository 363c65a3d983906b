package dev.claws.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Starts DJL's PyTorch engine strictly offline (natives come from the pytorch-native-cpu jar on the class path)
 * and hands out managers on the configured device.
 */
public final class Engines {

    public static final String ENGINE_NAME = "PyTorch";

    private Engines() {
    }

    /** PyTorch's intra-op threads when the engine first loaded (its default, unless the first options named a count). */
    private static int loadedThreads;
    /** The intra-op threads the last options asked for; 0 until the engine is loaded through {@link #pytorch}. */
    private static volatile int configuredThreads;

    /** Loads the PyTorch engine with the given options; safe to call repeatedly (the thread count is re-applied). */
    public static synchronized Engine pytorch(EngineOptions options) {
        // must be set before the engine class initialises, or DJL may try to download natives
        System.setProperty("ai.djl.offline", "true");
        if (options.intraOpThreads() > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(options.intraOpThreads()));
        }
        Engine engine = Engine.getEngine(ENGINE_NAME);
        if (loadedThreads == 0) {
            loadedThreads = JniUtils.getNumThreads();
        }
        NativeMemory.returnFreedTensorsToTheSystem();
        configuredThreads = options.intraOpThreads() > 0 ? options.intraOpThreads() : loadedThreads;
        if (JniUtils.getNumThreads() != configuredThreads) {
            JniUtils.setNumThreads(configuredThreads);
        }
        return engine;
    }

    /** The device named by the options; fails clearly when a GPU is asked for and none is visible. */
    public static Device device(EngineOptions options) {
        Engine engine = pytorch(options);
        if (options.device().equals("gpu")) {
            if (engine.getGpuCount() == 0) {
                throw new IllegalStateException("claws.engine.device=gpu but PyTorch sees no CUDA device "
                        + "(the bundled natives are CPU-only unless a CUDA pytorch-native jar is on the class path)");
            }
            return Device.gpu();
        }
        return Device.cpu();
    }

    /** A fresh root manager on the configured device; the caller closes it. */
    public static NDManager newManager(EngineOptions options) {
        Device device = device(options);
        return NDManager.newBaseManager(device, ENGINE_NAME);
    }

    /** The intra-op threads the engine runs on right now (a decode step lowers them for its small ops). */
    public static int intraOpThreads() {
        return JniUtils.getNumThreads();
    }

    /**
     * The intra-op threads the engine was configured with ({@link EngineOptions#intraOpThreads()}, or PyTorch's
     * default for 0): what a decode step's projections use and what it restores afterwards, whatever the count is at
     * the moment of asking. The current count when the engine was never loaded through {@link #pytorch}.
     */
    public static int configuredThreads() {
        int threads = configuredThreads;
        return threads > 0 ? threads : intraOpThreads();
    }

    /**
     * Runs {@code work} with {@code threads} intra-op threads on the calling thread, then sets {@code after}. A decode
     * step runs its many tiny ops (norms, RoPE, cache writes, attention over one query, SwiGLU) on one thread and only
     * its projections on all: ATen parallelises some tiny ops however small (bmm over heads, softmax rows), and every
     * parallel region waits for all pool threads, which on a busy machine means waiting for a descheduled core (measured
     * with DecodeProfile: 7-14x slower steps at load 11-15 on 2 cores). A LoRA training step, whose backward cannot
     * switch threads per op, runs on one thread throughout while the machine is busier than its cores (LoraTrainer). Off with -Dclaws.engine.serial-small-ops=false.
     */
    public static <T> T withThreads(int threads, int after, java.util.function.Supplier<T> work) {
        if (threads == after || !SERIAL_SMALL_OPS) {
            return work.get();
        }
        JniUtils.setNumThreads(threads);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(after);
        }
    }

    /**
     * {@code value} as a 0-dim float32 tensor in engine-owned memory, owned by {@code like}'s manager: the operand to
     * multiply, divide or raise by on any path autograd may record. DJL's {@code x.mul(Number)} (and div, pow) wraps
     * its scalar around a Java direct buffer that it closes right after the op, while autograd keeps the scalar for the
     * backward pass: a garbage collection in between frees that buffer and the backward reads reused memory (NaN LoRA
     * gradients). {@code full} allocates in PyTorch, so the graph's reference keeps the value alive.
     */
    public static NDArray scalar(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value);
    }

    static final boolean SERIAL_SMALL_OPS = !"false".equals(System.getProperty("claws.engine.serial-small-ops"));
}

package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one solo decode step of a real model goes (batch 1, greedy, after a prefill of {@code context} tokens), in three
 * passes over the same session: plain steps (wall time), instrumented steps (time per layer, per projection kind, the
 * head and the sampler, taken with a clock around each part; CPU ops are synchronous), and steps under PyTorch's own
 * profiler (ATen ops per token by name with calls and self time, the number of top-level ops, i.e. calls that crossed
 * JNI into ATen, and the time spent inside ATen against the wall time).
 */
public final class DecodeProfiler {

    /** One ATen operator: calls and self time (excluding the ops it called) per decode step. */
    public record OpStat(String name, double callsPerStep, double selfMillisPerStep) {
    }

    /**
     * @param stepMillis     median, min, max of the plain step (forward + greedy choice)
     * @param layerMillis    median time of each decoder layer (instrumented pass)
     * @param projectionMillis median time per step of each projection kind, summed over the layers
     * @param projectionBytes weight bytes each projection kind reads per step (all layers)
     * @param restMillis     median per step of the layers' time outside the projections
     * @param headMillis     final norm + LM head (also under LM_HEAD in projectionMillis); samplerMillis the greedy choice (on the device, one scalar to the host)
     * @param topLevelOpsPerStep ATen calls entered from Java per step; atenMillisPerStep the time inside them
     * @param profiledStepMillis wall time of a step under the profiler
     * @param ops            every ATen op by self time, descending
     */
    public record Report(int context, int steps, double[] stepMillis, double[] layerMillis,
                         Map<String, Double> projectionMillis, Map<String, Long> projectionBytes,
                         double restMillis, double headMillis, double samplerMillis,
                         double topLevelOpsPerStep, double atenMillisPerStep, double profiledStepMillis,
                         List<OpStat> ops) {
    }

    private DecodeProfiler() {
    }

    /** Profiles {@code steps} decode steps after a {@code context}-token prompt; the trace is written to traceFile. */
    public static Report profile(DecoderModel model, long[] prompt, int steps, Path traceFile) {
        ModelConfig c = model.config();
        int capacity = prompt.length + 3 * steps + 2;
        try (InferenceSession session = model.newSession(capacity)) {
            GenerationSettings greedy = GenerationSettings.greedy(capacity);
            Sampler sampler = new Sampler(greedy);
            long token;
            try (NDManager step = session.manager().newSubManager()) {
                token = sampler.next(session.forward(step, prompt, true), 0);
            }
            // plain steps
            double[] wall = new double[steps];
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                try (NDManager step = session.manager().newSubManager()) {
                    token = sampler.next(session.generationStep(step, new long[] {token}), i + 1);
                }
                wall[i] = (System.nanoTime() - t0) / 1e6;
            }
            // instrumented steps
            int layers = c.numHiddenLayers();
            double[][] layerMs = new double[layers][steps];
            Map<LinearMaps.Projection, double[]> proj = new EnumMap<>(LinearMaps.Projection.class);
            for (LinearMaps.Projection p : LinearMaps.Projection.values()) {
                proj.put(p, new double[steps]);
            }
            double[] head = new double[steps];
            double[] sample = new double[steps];
            double[] rest = new double[steps];
            for (int i = 0; i < steps; i++) {
                int s = i;
                long[] enter = new long[layers + 1];
                LinearMaps timed = (layer, projection, x, weight, bias) -> {
                    long t0 = System.nanoTime();
                    NDArray y = model.decodeMaps().apply(layer, projection, x, weight, bias);
                    proj.get(projection)[s] += (System.nanoTime() - t0) / 1e6;
                    return y;
                };
                ActivationObserver clock = (layer, point, residual) -> {
                    if (point == ActivationObserver.Point.LAYER_INPUT) {
                        enter[layer] = System.nanoTime();
                    }
                };
                try (NDManager step = session.manager().newSubManager()) {
                    NDArray h = model.run(step, new long[] {token}, 1, session.cache(), true, timed, clock);
                    long t0 = System.nanoTime();
                    NDArray logits = model.head(DecoderLayer.flat(h), model.decodeMaps());
                    long t1 = System.nanoTime();
                    token = sampler.next(logits, steps + i + 1);
                    long t2 = System.nanoTime();
                    head[i] = (t1 - enter[layers]) / 1e6;
                    sample[i] = (t2 - t1) / 1e6;
                    rest[i] = (enter[layers] - enter[0]) / 1e6;
                    for (int l = 0; l < layers; l++) {
                        layerMs[l][i] = (enter[l + 1] - enter[l]) / 1e6;
                    }
                    for (double[] v : proj.values()) {
                        rest[i] -= v[i];
                    }
                }
            }
            double[] layerMedian = new double[layers];
            for (int l = 0; l < layers; l++) {
                layerMedian[l] = median(layerMs[l]);
            }
            Map<String, Double> projMedian = new LinkedHashMap<>();
            proj.forEach((p, v) -> projMedian.put(p.name(), median(v)));
            projMedian.put(LinearMaps.Projection.LM_HEAD.name(), median(head));
            // profiled steps
            JniUtils.startProfile(false, false, false);
            long p0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                try (NDManager step = session.manager().newSubManager()) {
                    token = sampler.next(session.generationStep(step, new long[] {token}), 2 * steps + i + 1);
                }
            }
            double profiledMs = (System.nanoTime() - p0) / 1e6 / steps;
            JniUtils.stopProfile(traceFile.toString());
            Trace trace = Trace.read(traceFile, steps);
            return new Report(prompt.length, steps, new double[] {median(wall), min(wall), max(wall)}, layerMedian,
                    projMedian, projectionBytes(model), median(rest), median(head), median(sample), trace.topLevel,
                    trace.topLevelMillis, profiledMs, trace.ops);
        }
    }

    /** One way of computing a decode step's projection: median time and the weight bandwidth it reaches. */
    public record Kernel(String name, double medianMillis, double minMillis, double gigabytesPerSecond) {
    }

    /**
     * Times the candidate kernels for one token through a weight of [out, in] (random values): linear() and
     * weight @ x^T in float32 and float16, each {@code reps} times, interleaved so load hits all alike.
     */
    public static List<Kernel> kernels(DecoderModel model, long out, long in, int reps) {
        // bfloat16 is left out: DJL 0.35 aborts the JVM converting to it (see SafetensorsReader)
        String[] names = {"f32 linear", "f32 weight@x^T", "f16 linear", "f16 weight@x^T"};
        DataType[] types = {DataType.FLOAT32, DataType.FLOAT32, DataType.FLOAT16, DataType.FLOAT16};
        double[][] ms = new double[names.length][reps];
        try (NDManager m = model.manager().newSubManager()) {
            NDArray w32 = m.randomNormal(new Shape(out, in));
            NDArray x32 = m.randomNormal(new Shape(1, 1, in));
            NDArray[] w = new NDArray[names.length];
            NDArray[] x = new NDArray[names.length];
            for (int k = 0; k < names.length; k++) {
                w[k] = types[k] == DataType.FLOAT32 ? w32 : w32.toType(types[k], false);
                x[k] = types[k] == DataType.FLOAT32 ? x32 : x32.toType(types[k], false);
            }
            for (int r = -2; r < reps; r++) {
                for (int k = 0; k < names.length; k++) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray xs = x[k].get(step, new NDIndex(":"));
                        long t0 = System.nanoTime();
                        NDArray y = k % 2 == 0 ? Linear.linear(xs, w[k], null).singletonOrThrow()
                                : w[k].get(step, new NDIndex(":")).matMul(xs.reshape(1, -1).transpose());
                        y.getShape();
                        if (r >= 0) {
                            ms[k][r] = (System.nanoTime() - t0) / 1e6;
                        }
                    }
                }
            }
            List<Kernel> result = new ArrayList<>();
            for (int k = 0; k < names.length; k++) {
                double med = median(ms[k]);
                result.add(new Kernel(names[k], med, min(ms[k]),
                        out * in * types[k].getNumOfBytes() / med / 1e6));
            }
            return result;
        }
    }

    /** Bytes of the weights each projection kind reads per decode step, over all layers. */
    private static Map<String, Long> projectionBytes(DecoderModel model) {
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (LayerWeights w : model.weights().layers) {
            add(bytes, LinearMaps.Projection.QKV, w.qkv());
            add(bytes, LinearMaps.Projection.O, w.o());
            add(bytes, LinearMaps.Projection.GATE_UP, w.gateUp());
            add(bytes, LinearMaps.Projection.DOWN, w.down());
        }
        add(bytes, LinearMaps.Projection.LM_HEAD, model.weights().lmHead);
        return bytes;
    }

    private static void add(Map<String, Long> bytes, LinearMaps.Projection p, NDArray w) {
        bytes.merge(p.name(), w.getShape().size() * w.getDataType().getNumOfBytes(), Long::sum);
    }

    /**
     * A Chrome trace of ATen ops (from PyTorch's profiler, JniUtils.start/stopProfile): self time per op name (nesting
     * per thread), top-level calls (those entered from Java, or from the autograd engine in a backward) and their time.
     */
    public record Trace(List<OpStat> ops, double topLevel, double topLevelMillis) {

        /** Reads a trace written by JniUtils.stopProfile that covered {@code steps} steps; figures are per step. */
        public static Trace read(Path file, int steps) {
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            JsonNode events = root.isArray() ? root : root.path("traceEvents");
            Map<String, List<double[]>> byThread = new HashMap<>();
            Map<Integer, String> names = new HashMap<>();
            List<String> nameList = new ArrayList<>();
            for (JsonNode e : events) {
                if (!"X".equals(e.path("ph").asText()) || !e.path("name").asText().startsWith("aten::")) {
                    continue;
                }
                String name = e.path("name").asText();
                int id = nameList.indexOf(name);
                if (id < 0) {
                    id = nameList.size();
                    nameList.add(name);
                    names.put(id, name);
                }
                byThread.computeIfAbsent(e.path("tid").asText(), k -> new ArrayList<>())
                        .add(new double[] {e.path("ts").asDouble(), e.path("dur").asDouble(), id});
            }
            double[] calls = new double[nameList.size()];
            double[] self = new double[nameList.size()];
            double top = 0;
            double topMicros = 0;
            for (List<double[]> list : byThread.values()) {
                list.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> -a[1]));
                Deque<double[]> open = new ArrayDeque<>(); // {end, index into list}
                for (double[] e : list) {
                    while (!open.isEmpty() && open.peek()[0] <= e[0]) {
                        open.pop();
                    }
                    int id = (int) e[2];
                    calls[id]++;
                    self[id] += e[1];
                    if (open.isEmpty()) {
                        top++;
                        topMicros += e[1];
                    } else {
                        self[(int) open.peek()[1]] -= e[1];
                    }
                    open.push(new double[] {e[0] + e[1], id});
                }
            }
            List<OpStat> ops = new ArrayList<>();
            for (int i = 0; i < calls.length; i++) {
                ops.add(new OpStat(names.get(i), calls[i] / steps, self[i] / 1e3 / steps));
            }
            ops.sort(Comparator.comparingDouble(OpStat::selfMillisPerStep).reversed());
            return new Trace(ops, top / steps, topMicros / 1e3 / steps);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}

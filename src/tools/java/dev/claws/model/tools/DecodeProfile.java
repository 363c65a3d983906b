package dev.claws.model.tools;

import dev.claws.model.DecodeProfiler;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.ModelConfig;
import dev.claws.model.Engines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Profiles one solo decode step (batch 1, greedy) of a checkpoint: step time, time per layer, per projection kind
 * (with the bandwidth it reaches), LM head and sampler, ATen ops per step with self times, calls that cross JNI into
 * ATen and the share of the step spent outside ATen.
 *
 * <pre>
 * ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.model.tools.DecodeProfile \
 *   -Dexec.args="--model /tmp/smollm2 --context 128 --steps 32 --threads 2"
 * </pre>
 */
public final class DecodeProfile {

    private DecodeProfile() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine cl = new CommandLine(args, Set.of());
        Path dir = Path.of(cl.require("model"));
        int context = cl.getInt("context", 128);
        int steps = cl.getInt("steps", 32);
        int top = cl.getInt("top-ops", 15);
        EngineOptions options = new EngineOptions(cl.get("device", "cpu"), cl.getInt("threads", 2));
        Engines.pytorch(options);
        Path trace = Files.createTempFile("claws-decode-trace", ".json");
        try (DecoderModel model = DecoderModel.load(dir, options)) {
            long[] prompt = GenerationBenchmark.prompt(context, model.config().vocabSize());
            DecodeProfiler.Report r = DecodeProfiler.profile(model, prompt, steps, trace);
            print(model, r, top);
            ModelConfig c = model.config();
            long[][] shapes = {{(c.numAttentionHeads() + 2L * c.numKeyValueHeads()) * c.headDim(), c.hiddenSize()},
                    {2L * c.intermediateSize(0), c.hiddenSize()}, {c.hiddenSize(), c.intermediateSize(0)},
                    {c.vocabSize(), c.hiddenSize()}};
            String[] names = {"QKV", "GATE_UP", "DOWN", "LM_HEAD"};
            System.out.println("one token through one weight, interleaved, " + cl.getInt("kernel-reps", 30)
                    + " reps: kernel | median ms (min) | GB/s of weight read");
            for (int i = 0; i < shapes.length; i++) {
                System.out.printf(Locale.ROOT, "  %s [%d, %d]%n", names[i], shapes[i][0], shapes[i][1]);
                for (DecodeProfiler.Kernel k : DecodeProfiler.kernels(model, shapes[i][0], shapes[i][1],
                        cl.getInt("kernel-reps", 30))) {
                    System.out.printf(Locale.ROOT, "    %-16s | %6.3f (%6.3f) | %5.1f%n", k.name(), k.medianMillis(),
                            k.minMillis(), k.gigabytesPerSecond());
                }
            }
        } finally {
            Files.deleteIfExists(trace);
        }
    }

    static void print(DecoderModel model, DecodeProfiler.Report r, int top) {
        System.out.printf(Locale.ROOT, "model %s (%,d parameters, weights %s), context %d, %d steps per pass, "
                        + "intra-op threads %d%n", model.directory(), model.config().parameterCount(),
                model.storedDType(), r.context(), r.steps(), Engines.intraOpThreads());
        double[] s = r.stepMillis();
        long bytes = r.projectionBytes().values().stream().mapToLong(Long::longValue).sum();
        System.out.printf(Locale.ROOT, "decode step: %.2f ms median (%.2f..%.2f), %.1f tokens/s; weights read %.0f MB "
                + "per step, %.1f GB/s effective%n", s[0], s[1], s[2], 1000 / s[0], bytes / 1e6, bytes / s[0] / 1e6);
        System.out.println("projection kind | ms per step (all layers) | weight MB | GB/s");
        double projTotal = 0;
        for (var e : r.projectionMillis().entrySet()) {
            double ms = e.getValue();
            long b = r.projectionBytes().getOrDefault(e.getKey(), 0L);
            projTotal += ms;
            System.out.printf(Locale.ROOT, "  %-8s | %7.2f | %7.1f | %5.1f%n", e.getKey(), ms, b / 1e6,
                    b / ms / 1e6);
        }
        double[] layers = r.layerMillis();
        double layerSum = 0;
        StringBuilder per = new StringBuilder();
        for (int l = 0; l < layers.length; l++) {
            layerSum += layers[l];
            per.append(String.format(Locale.ROOT, "%s%.2f", l == 0 ? "" : " ", layers[l]));
        }
        double linearsInLayers = projTotal - r.projectionMillis().get("LM_HEAD");
        System.out.printf(Locale.ROOT, "layers: %.2f ms summed over the layers' medians (median per layer, ms: %s)%n", layerSum, per);
        System.out.printf(Locale.ROOT, "  medians per step: projections %.2f ms, the rest (norms, RoPE, cache write, attention, "
                + "SwiGLU, residuals) %.2f ms; final norm + LM head %.2f ms; greedy choice %.2f ms%n",
                linearsInLayers, r.restMillis(), r.headMillis(), r.samplerMillis());
        System.out.printf(Locale.ROOT, "ATen calls from Java per step: %.0f (%.1f per layer); time inside them %.2f ms of "
                        + "a %.2f ms profiled step (%.0f%% outside ATen: Java, JNI, DJL bookkeeping)%n",
                r.topLevelOpsPerStep(), r.topLevelOpsPerStep() / layers.length, r.atenMillisPerStep(),
                r.profiledStepMillis(), 100 * (1 - r.atenMillisPerStep() / r.profiledStepMillis()));
        System.out.println("ATen op | calls per step | self ms per step");
        r.ops().stream().limit(top).forEach(o -> System.out.printf(Locale.ROOT, "  %-28s | %6.1f | %6.3f%n",
                o.name(), o.callsPerStep(), o.selfMillisPerStep()));
    }
}

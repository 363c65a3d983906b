package dev.claws.model.tools;

import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;
import dev.claws.model.RowParallel;
import dev.claws.model.WeightsDtype;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Measures generation speed on a checkpoint: prefill time, time per decoded token and decode tokens/s, as median and
 * spread (min..max) over repeats, greedy, never stopping early.
 *
 * <pre>
 * ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.model.tools.GenerationBenchmark \
 *   -Dexec.args="--model /tmp/qwen05-synthetic --prompt-tokens 128 --new-tokens 32 --repeats 5 --threads 2 \
 *   --decode-weights float32,bfloat16,int8"
 * </pre>
 * --decode-weights loads one model per listed dtype (see {@link WeightsDtype}) and interleaves their runs.
 * With --serve it loads the model, prints READY and then answers each "run" line on stdin with one JSON line (used
 * by src/test/python/bench_compare.py to interleave runs with transformers on the same machine); "run host-DTYPE"
 * runs the same generation on {@link HostDecodeStep}, the host decode-step prototype over that dtype's weights (its
 * prefill is the prompt fed as one-token steps).
 * The prompt is token i = (i * 7919 + 13) mod vocab, the same in the comparison script.
 */
public final class GenerationBenchmark {

    private GenerationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine cl = new CommandLine(args, Set.of("serve"));
        Path dir = Path.of(cl.require("model"));
        int promptTokens = cl.getInt("prompt-tokens", 128);
        int newTokens = cl.getInt("new-tokens", 32);
        int repeats = cl.getInt("repeats", 5);
        int warmup = cl.getInt("warmup", 1);
        EngineOptions options = new EngineOptions(cl.get("device", "cpu"), cl.getInt("threads", 2));
        Engines.pytorch(options);
        // one model per decode-weights dtype, runs interleaved
        Map<WeightsDtype, DecoderModel> models = new LinkedHashMap<>();
        long loadStart = System.nanoTime();
        try {
            for (String d : cl.get("decode-weights", "float32").split(",")) {
                WeightsDtype dtype = WeightsDtype.parse(d);
                models.put(dtype, DecoderModel.load(dir, options.withDecodeWeights(dtype)));
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            DecoderModel first = models.values().iterator().next();
            long[] prompt = prompt(promptTokens, first.config().vocabSize());
            GenerationSettings settings = GenerationSettings.greedy(newTokens).withStopTokenIds(List.of());
            if (cl.has("serve")) {
                serve(models, prompt, settings, cl.getInt("threads", 2));
                return;
            }
            System.out.printf(Locale.ROOT, "model %s (%s, stored %s, %,d parameters), decode weights %s, loaded in "
                            + "%.1f s; intra-op threads %d; prompt %d tokens, %d new tokens, %d repeats (+%d warm-up)%n",
                    dir, first.config().architecture().className(), first.storedDType(),
                    first.config().parameterCount(),
                    String.join(",", models.keySet().stream().map(WeightsDtype::label).toList()), loadSeconds, Engines.intraOpThreads(),
                    promptTokens, newTokens, repeats, warmup);
            for (int i = 0; i < warmup; i++) {
                for (DecoderModel model : models.values()) {
                    model.generate(prompt, settings);
                }
            }
            Map<WeightsDtype, List<double[]>> runs = new LinkedHashMap<>();
            for (int i = 0; i < repeats; i++) {
                for (var e : models.entrySet()) {
                    double[] r = measure(e.getValue(), prompt, settings);
                    runs.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(r);
                    System.out.printf(Locale.ROOT, "run %d %s: prefill %.1f ms, %.2f ms/token, %.2f tokens/s%n",
                            i + 1, e.getKey().label(), r[0], r[1], r[2]);
                }
            }
            runs.forEach((d, r) -> System.out.println(summary("claws " + d.label(), r)));
        } finally {
            for (DecoderModel model : models.values()) {
                model.close();
            }
        }
    }

    static long[] prompt(int n, int vocab) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (i * 7919L + 13) % vocab;
        }
        return ids;
    }

    /** {prefill ms, ms per decoded token, decode tokens/s}. */
    static double[] measure(DecoderModel model, long[] prompt, GenerationSettings settings) {
        GenerationResult r = model.generate(prompt, settings);
        return new double[] {r.timings().prefillNanos() / 1e6, r.timings().nanosPerDecodedToken() / 1e6,
            r.timings().decodeTokensPerSecond()};
    }

    static String summary(String label, List<double[]> runs) {
        return String.format(Locale.ROOT, "%s: prefill %s ms | decode %s ms/token | %s tokens/s", label,
                stat(runs, 0), stat(runs, 1), stat(runs, 2));
    }

    private static String stat(List<double[]> runs, int k) {
        double[] v = runs.stream().mapToDouble(r -> r[k]).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, "median %.2f (min %.2f, max %.2f)", median, v[0], v[v.length - 1]);
    }

    private static final String HOST = "host-";

    /** Answers "run [dtype]" lines (no dtype: the first loaded) with one JSON line each; "quit" ends. */
    private static void serve(Map<WeightsDtype, DecoderModel> models, long[] prompt, GenerationSettings settings,
            int threads) throws Exception {
        System.out.println("READY threads=" + Engines.intraOpThreads() + " decode-weights="
                + String.join(",", models.keySet().stream().map(WeightsDtype::label).toList()));
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        DecoderModel first = models.values().iterator().next();
        Map<WeightsDtype, HostDecodeStep> hosts = new LinkedHashMap<>();
        RowParallel pool = new RowParallel(threads); // the prototype's own row pool, as in HostDecodePrototype
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            if (words[0].equals("quit")) {
                break;
            }
            double[] r;
            if (words.length > 1 && words[1].startsWith(HOST)) {
                WeightsDtype dtype = WeightsDtype.parse(words[1].substring(HOST.length()));
                HostDecodeStep host = hosts.computeIfAbsent(dtype, d -> new HostDecodeStep(
                        HostDecodeWeights.of(models.get(d), d), pool));
                HostDecodePrototype.HostRun run = HostDecodePrototype.HostRun.generate(host, prompt,
                        settings.maxNewTokens());
                r = new double[] {run.promptNanos() / 1e6, 1000 / run.decodeTokensPerSecond(),
                    run.decodeTokensPerSecond()};
            } else {
                r = measure(words.length > 1 ? models.get(WeightsDtype.parse(words[1])) : first, prompt, settings);
            }
            System.out.printf(Locale.ROOT, "{\"prefill_ms\": %.4f, \"ms_per_token\": %.4f, \"tokens_per_s\": %.4f}%n",
                    r[0], r[1], r[2]);
            System.out.flush();
        }
    }
}

package dev.claws.model.tools;

import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Measures generation speed on a checkpoint: prefill time, time per decoded token and decode tokens/s, as median and
 * spread (min..max) over repeats, greedy, never stopping early.
 *
 * <pre>
 * ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.model.tools.GenerationBenchmark \
 *   -Dexec.args="--model /tmp/qwen05-synthetic --prompt-tokens 128 --new-tokens 32 --repeats 5 --threads 2"
 * </pre>
 * With --serve it loads the model, prints READY and then answers each "run" line on stdin with one JSON line (used
 * by src/test/python/bench_compare.py to interleave runs with transformers on the same machine).
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
        long loadStart = System.nanoTime();
        try (DecoderModel model = DecoderModel.load(dir, options)) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            long[] prompt = prompt(promptTokens, model.config().vocabSize());
            GenerationSettings settings = GenerationSettings.greedy(newTokens).withStopTokenIds(List.of());
            if (cl.has("serve")) {
                serve(model, prompt, settings);
                return;
            }
            System.out.printf(Locale.ROOT, "model %s (%s, stored %s, %,d parameters) loaded in %.1f s; "
                            + "intra-op threads %d; prompt %d tokens, %d new tokens, %d repeats (+%d warm-up)%n",
                    dir, model.config().architecture().className(), model.storedDType(),
                    model.config().parameterCount(), loadSeconds, Engines.intraOpThreads(), promptTokens, newTokens,
                    repeats, warmup);
            for (int i = 0; i < warmup; i++) {
                model.generate(prompt, settings);
            }
            List<double[]> runs = new ArrayList<>();
            for (int i = 0; i < repeats; i++) {
                double[] r = measure(model, prompt, settings);
                runs.add(r);
                System.out.printf(Locale.ROOT, "run %d: prefill %.1f ms, %.2f ms/token, %.2f tokens/s%n", i + 1,
                        r[0], r[1], r[2]);
            }
            System.out.println(summary("claws (DJL PyTorch)", runs));
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

    private static void serve(DecoderModel model, long[] prompt, GenerationSettings settings) throws Exception {
        System.out.println("READY threads=" + Engines.intraOpThreads());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.trim().equals("quit")) {
                break;
            }
            double[] r = measure(model, prompt, settings);
            System.out.printf(Locale.ROOT, "{\"prefill_ms\": %.4f, \"ms_per_token\": %.4f, \"tokens_per_s\": %.4f}%n",
                    r[0], r[1], r[2]);
            System.out.flush();
        }
    }
}

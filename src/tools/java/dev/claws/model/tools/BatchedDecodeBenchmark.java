package dev.claws.model.tools;

import dev.claws.model.DecodeBatch;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Aggregate tokens/s of C concurrent generations on one model, decoded each on its own (as the server does with
 * claws.serve.max-batch-size 1 and claws.serve.concurrency C) and as one continuous batch (max-batch-size C), runs
 * interleaved so machine load hits both alike. Aggregate = all generated tokens / wall time from the first request's
 * start to the last one's end (prefill included). Greedy, never stopping early; request i's prompt has
 * prompt-tokens + 3*(i mod 4) tokens, so rows have different lengths. Also checks that both modes give every request
 * the same tokens.
 *
 * <pre>
 * ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.model.tools.BatchedDecodeBenchmark \
 *   -Dexec.args="--model models/claws-tiny --concurrency 8,16 --prompt-tokens 32 --new-tokens 32 --repeats 5"
 * </pre>
 */
public final class BatchedDecodeBenchmark {

    private BatchedDecodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine cl = new CommandLine(args, Set.of());
        Path dir = Path.of(cl.require("model"));
        int[] concurrency = Arrays.stream(cl.get("concurrency", "8,16").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int promptTokens = cl.getInt("prompt-tokens", 32);
        int newTokens = cl.getInt("new-tokens", 32);
        int repeats = cl.getInt("repeats", 5);
        EngineOptions options = new EngineOptions(cl.get("device", "cpu"), cl.getInt("threads", 2));
        Engines.pytorch(options);
        try (DecoderModel model = DecoderModel.load(dir, options)) {
            System.out.printf(Locale.ROOT, "model %s (%,d parameters); intra-op threads %d; prompt %d+ tokens, "
                            + "%d new tokens, %d repeats (+1 warm-up)%n", dir, model.config().parameterCount(),
                    Engines.intraOpThreads(), promptTokens, newTokens, repeats);
            GenerationSettings settings = GenerationSettings.greedy(newTokens).withStopTokenIds(List.of());
            for (int c : concurrency) {
                List<long[]> prompts = new ArrayList<>();
                for (int i = 0; i < c; i++) {
                    prompts.add(prompt(promptTokens + 3 * (i % 4), i, model.config().vocabSize()));
                }
                Map<String, List<Double>> rates = new TreeMap<>();
                ExecutorService pool = Executors.newFixedThreadPool(c);
                try (DecodeBatch batch = new DecodeBatch(model, c, "bench-batch")) {
                    for (int rep = 0; rep <= repeats; rep++) {
                        long[][] alone = run(pool, prompts, p -> model.generate(p, settings), rates,
                                rep == 0 ? null : "alone (max-batch-size 1)");
                        long[][] batched = run(pool, prompts, p -> batch.generate(p, settings, null, null), rates,
                                rep == 0 ? null : "batched (max-batch-size " + c + ")");
                        for (int i = 0; i < c; i++) {
                            if (!Arrays.equals(alone[i], batched[i])) {
                                throw new IllegalStateException("request " + i + " got different tokens batched");
                            }
                        }
                    }
                    System.out.printf(Locale.ROOT, "concurrency %d: largest batch %d rows%n", c, batch.peakRows());
                } finally {
                    pool.shutdownNow();
                }
                for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
                    double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
                    System.out.printf(Locale.ROOT, "concurrency %2d, %-26s aggregate tokens/s median %.1f "
                            + "(min %.1f, max %.1f) over %d runs: %s%n", c, e.getKey(), median, v[0], v[v.length - 1],
                            v.length, e.getValue().stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList());
                }
            }
        }
    }

    private interface Generation {
        GenerationResult run(long[] prompt);
    }

    /** Runs every prompt at once; records the aggregate tokens/s under {@code label} (null: warm-up). */
    private static long[][] run(ExecutorService pool, List<long[]> prompts, Generation g,
                                Map<String, List<Double>> rates, String label) throws Exception {
        long start = System.nanoTime();
        List<Future<GenerationResult>> futures = new ArrayList<>();
        for (long[] p : prompts) {
            futures.add(pool.submit(() -> g.run(p)));
        }
        long[][] tokens = new long[prompts.size()][];
        long total = 0;
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = futures.get(i).get().tokenIds();
            total += tokens[i].length;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (label != null) {
            rates.computeIfAbsent(label, k -> new ArrayList<>()).add(total / seconds);
            System.out.printf(Locale.ROOT, "  %-26s %d requests, %d tokens in %.2f s = %.1f tokens/s%n", label,
                    prompts.size(), total, seconds, total / seconds);
        }
        return tokens;
    }

    private static long[] prompt(int n, int request, int vocab) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (i * 7919L + 13 + request * 104729L) % vocab;
        }
        return ids;
    }
}

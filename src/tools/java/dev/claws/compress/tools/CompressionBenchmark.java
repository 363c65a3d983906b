package dev.claws.compress.tools;

import dev.claws.model.io.FileTrees;
import dev.claws.compress.PruningMethod;
import dev.claws.compress.CompressionOutcome;
import dev.claws.compress.CompressionSpec;
import dev.claws.compress.Compressor;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;
import dev.claws.model.tools.CommandLine;
import dev.claws.model.tools.SyntheticCheckpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * What compression buys in decode speed: creates RandomPruneNet and SliceGPT variants of a synthetic base at several
 * ratios, then measures decode tokens/s of the base and every variant interleaved (each round loads every model in
 * turn, runs one warm-up and one measured greedy generation, and frees it), and prints measured speedup against the
 * ideal speedup base parameters / variant parameters.
 *
 * <pre>
 * ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.compress.tools.CompressionBenchmark \
 *   -Dexec.args="--dir /tmp/claws-compress-bench [--reuse] [--ratios 0.1,0.3,0.5,0.7,0.9] [--repeats 3]"
 * </pre>
 * Options: --preset (SyntheticCheckpoint preset, default qwen2.5-0.5b), --dtype f32|bf16|f16, --prompt-tokens 32,
 * --new-tokens 16, --threads 2, --calibration-sequences 4, --calibration-tokens 64, --seed 42, --methods
 * random_prune,slicegpt. SliceGPT is calibrated on random token sequences: enough for a speed benchmark (speed
 * depends on shapes only), not for quality. --reuse keeps checkpoints that already exist under --dir.
 */
public final class CompressionBenchmark {

    private CompressionBenchmark() {
    }

    record Model(String name, String method, double ratio, Path dir) {
    }

    public static void main(String[] args) throws IOException {
        CommandLine a = new CommandLine(args, Set.of("reuse"));
        Path dir = Path.of(a.get("dir", "/tmp/claws-compress-bench"));
        boolean reuse = a.has("reuse");
        double[] ratios = Arrays.stream(a.get("ratios", "0.1,0.3,0.5,0.7,0.9").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        List<String> methods = List.of(a.get("methods", "random_prune,slicegpt").split(","));
        int promptTokens = a.getInt("prompt-tokens", 32);
        int newTokens = a.getInt("new-tokens", 16);
        int repeats = a.getInt("repeats", 3);
        int threads = a.getInt("threads", 2);
        int calSequences = a.getInt("calibration-sequences", 4);
        int calTokens = a.getInt("calibration-tokens", 64);
        long seed = Long.parseLong(a.get("seed", "42"));
        String preset = a.get("preset", "qwen2.5-0.5b");
        EngineOptions options = new EngineOptions("cpu", threads);
        Engines.pytorch(options);

        Path base = dir.resolve("base");
        if (!(reuse && Files.isDirectory(base))) {
            FileTrees.deleteQuietly(base);
            Files.createDirectories(dir);
            SyntheticCheckpoint.main(new String[] {"--preset", preset, "--out", base.toString(), "--dtype",
                a.get("dtype", "f32"), "--seed", Long.toString(seed)});
        }
        int vocab;
        try (DecoderModel m = DecoderModel.load(base, options)) {
            vocab = m.config().vocabSize();
        }
        List<long[]> calibration = new ArrayList<>();
        Random rnd = new Random(seed);
        for (int s = 0; s < calSequences; s++) {
            calibration.add(rnd.longs(calTokens, 0, vocab).toArray());
        }

        List<Model> models = new ArrayList<>();
        models.add(new Model("base", "-", 0, base));
        for (String method : methods) {
            for (double r : ratios) {
                String name = String.format(Locale.ROOT, "%s-r%.1f", method, r);
                Path out = dir.resolve(name);
                models.add(new Model(name, method, r, out));
                if (reuse && Files.isDirectory(out)) {
                    continue;
                }
                FileTrees.deleteQuietly(out);
                CompressionSpec spec = method.equals("slicegpt") ? CompressionSpec.sliceGpt(r)
                        : new CompressionSpec(PruningMethod.RANDOM_PRUNE, r, seed, false);
                long start = System.nanoTime();
                CompressionOutcome o = Compressor.compress(base, out, spec, calibration, options, null);
                System.out.printf(Locale.ROOT, "created %s in %.1f s: %,d parameters, %,d bytes%n", name,
                        (System.nanoTime() - start) / 1e9, o.parameterCount(), o.bytes());
            }
        }

        long[] prompt = new long[promptTokens];
        for (int i = 0; i < promptTokens; i++) {
            prompt[i] = (i * 7919L + 13) % vocab;
        }
        GenerationSettings settings = GenerationSettings.greedy(newTokens).withStopTokenIds(List.of());
        Map<String, List<Double>> tps = new HashMap<>();
        Map<String, Long> params = new HashMap<>();
        System.out.printf(Locale.ROOT, "measuring %d models, %d rounds, prompt %d tokens, %d new tokens, "
                + "%d intra-op threads%n", models.size(), repeats, promptTokens, newTokens, Engines.intraOpThreads());
        for (int round = 1; round <= repeats; round++) {
            for (Model model : models) {
                try (DecoderModel m = DecoderModel.load(model.dir(), options)) {
                    params.put(model.name(), m.config().parameterCount());
                    m.generate(prompt, settings); // warm-up after load
                    GenerationResult r = m.generate(prompt, settings);
                    double v = r.timings().decodeTokensPerSecond();
                    tps.computeIfAbsent(model.name(), k -> new ArrayList<>()).add(v);
                    System.out.printf(Locale.ROOT, "round %d %-18s %.2f tokens/s%n", round, model.name(), v);
                }
            }
        }

        double baseMedian = median(tps.get("base"));
        long baseParams = params.get("base");
        System.out.println();
        System.out.println("| variant | ratio | parameters | decode tokens/s, median (min-max) | measured speedup "
                + "| ideal speedup (base params / params) |");
        System.out.println("|---|---|---|---|---|---|");
        for (Model model : models) {
            List<Double> v = tps.get(model.name());
            double med = median(v);
            System.out.printf(Locale.ROOT, "| %s | %s | %,d | %.2f (%.2f-%.2f) | %.2fx | %.2fx |%n", model.name(),
                    model.method().equals("-") ? "-" : String.format(Locale.ROOT, "%.1f", model.ratio()),
                    params.get(model.name()), med, v.stream().mapToDouble(x -> x).min().orElse(0),
                    v.stream().mapToDouble(x -> x).max().orElse(0), med / baseMedian,
                    (double) baseParams / params.get(model.name()));
        }
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(x -> x).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

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
import dev.claws.model.ModelConfig;
import dev.claws.model.WeightsDtype;
import dev.claws.model.gguf.GgufImporter;
import dev.claws.model.tools.CommandLine;
import dev.claws.model.tools.SyntheticCheckpoint;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * What compression buys in decode speed: creates RandomPruneNet and SliceGPT variants of a base model at several
 * ratios, then measures decode tokens/s of the base and every variant interleaved (each round loads every model in
 * turn, runs one warm-up and one measured greedy generation, and frees it), and prints the measured speedup (per
 * round against the base of that round: median and min..max) next to the ideal one ({@link SpeedupTable}).
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.mainClass=dev.claws.compress.tools.CompressionBenchmark \
 *   -Dexec.args="--dir /tmp/claws-compress-bench [--base DIR|FILE.gguf] [--decode-weights float32|bfloat16] \
 *   [--reuse] [--ratios 0.1,0.3,0.5,0.7,0.9] [--repeats 3]"
 * </pre>
 * The base is --base, a Hugging Face checkpoint directory or a .gguf file (imported once into a float32 checkpoint
 * under DIR/imported, as the server imports one), or else a synthetic checkpoint written to DIR/base (--preset,
 * default qwen2.5-0.5b, --dtype f32|bf16|f16). --decode-weights is how the measured models hold their decode weights
 * (as {@code claws.engine.decode-weights}); decode steps must run on the decode kernels, so the JVM needs
 * {@code --add-modules jdk.incubator.vector} (exec:java gets it from .mvn/jvm.config). Other options: --prompt-tokens
 * 32, --new-tokens 16, --threads 2, --calibration-sequences 4, --calibration-tokens 64, --seed 42, --methods
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
        int calSequences = a.getInt("calibration-sequences", 4);
        int calTokens = a.getInt("calibration-tokens", 64);
        long seed = Long.parseLong(a.get("seed", "42"));
        WeightsDtype decodeWeights = WeightsDtype.parse(a.get("decode-weights", "float32"));
        EngineOptions options = new EngineOptions("cpu", a.getInt("threads", 2));
        Engines.pytorch(options);
        Files.createDirectories(dir);
        Path base = base(a, dir, reuse, seed);
        int vocab = ModelConfig.load(base).vocabSize();
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
        EngineOptions decodeOptions = options.withDecodeWeights(decodeWeights);
        System.out.printf(Locale.ROOT, "base %s; measuring %d models, %d rounds, prompt %d tokens, %d new tokens, "
                + "%d intra-op threads, decode weights %s on the decode kernels; slicegpt calibrated on %d random-token "
                + "sequences of %d tokens (speed depends on shapes only; not for quality)%n", base, models.size(),
                repeats, promptTokens, newTokens, Engines.intraOpThreads(), decodeWeights.label(), calSequences,
                calTokens);
        SpeedupTable table = new SpeedupTable("base");
        for (int round = 1; round <= repeats; round++) {
            for (Model model : models) {
                try (DecoderModel m = DecoderModel.load(model.dir(), decodeOptions)) {
                    if (!m.decodeKernels()) {
                        throw new IllegalStateException("decode steps would run in the engine, not on the decode "
                                + "kernels: start the JVM with --add-modules jdk.incubator.vector");
                    }
                    m.generate(prompt, settings); // warm-up after load
                    GenerationResult r = m.generate(prompt, settings);
                    double v = r.timings().decodeTokensPerSecond();
                    table.add(new SpeedupTable.Entry(model.name(), model.method(), model.ratio(), m.config()), v);
                    System.out.printf(Locale.ROOT, "round %d %-18s %.2f tokens/s (load average %.1f)%n", round,
                            model.name(), v, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                }
            }
        }
        System.out.println();
        System.out.print(table.markdown());
    }

    /** The base checkpoint: --base (a directory, or a .gguf imported once under dir/imported) or a synthetic one. */
    private static Path base(CommandLine a, Path dir, boolean reuse, long seed) throws IOException {
        if (a.has("base")) {
            Path given = Path.of(a.require("base"));
            return GgufImporter.isGguf(given) ? GgufImporter.cached(given, dir.resolve("imported")) : given;
        }
        Path base = dir.resolve("base");
        if (!(reuse && Files.isDirectory(base))) {
            FileTrees.deleteQuietly(base);
            SyntheticCheckpoint.main(new String[] {"--preset", a.get("preset", "qwen2.5-0.5b"), "--out",
                base.toString(), "--dtype", a.get("dtype", "f32"), "--seed", Long.toString(seed)});
        }
        return base;
    }
}

package dev.claws.model.tools;

import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;
import dev.claws.model.RowParallel;
import dev.claws.model.WeightsDtype;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The measured prototype of a decode step computed entirely on the host ({@link HostDecodeStep}) next to claws's
 * decode path (the engine's ops with {@code DecodeMatrix} products), on the same weights, batch 1, greedy:
 * <ol>
 *   <li>parity: for float32 and bfloat16 decode weights, max |logit diff| after the prompt and per decode step, and
 *   greedy agreement, teacher-forced on claws float32's greedy tokens;</li>
 *   <li>speed: decode tokens/s of claws and the prototype in both dtypes, runs interleaved round by round, median and
 *   min..max, with the load average before and after;</li>
 *   <li>the prototype's decode step split by op kind (ms per step, and GB/s of weights read for the products).</li>
 * </ol>
 * The prototype takes the prompt as one-token steps (its own cache, nothing copied from the engine); decode figures of
 * both count the steps after the first new token, as claws's generation timings do.
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.mainClass=dev.claws.model.tools.HostDecodePrototype \
 *   -Dexec.args="--model /tmp/smollm2 --prompt-tokens 32 --new-tokens 64 --threads 2 --rounds 7"
 * </pre>
 * {@code --skip-speed} runs the parity part only; {@code --skip-parity} the speed part only.
 */
public final class HostDecodePrototype {

    private static final WeightsDtype[] DTYPES = {WeightsDtype.FLOAT32, WeightsDtype.BFLOAT16};

    private HostDecodePrototype() {
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(args, Set.of("skip-speed", "skip-parity"));
        Path dir = Path.of(cl.require("model"));
        int promptTokens = cl.getInt("prompt-tokens", 32);
        int newTokens = cl.getInt("new-tokens", 64);
        int threads = cl.getInt("threads", 2);
        EngineOptions options = new EngineOptions("cpu", threads);
        Engines.pytorch(options);
        Map<WeightsDtype, DecoderModel> models = new LinkedHashMap<>();
        Map<WeightsDtype, HostDecodeStep> hosts = new LinkedHashMap<>();
        RowParallel pool = new RowParallel(threads);
        try {
            for (WeightsDtype d : DTYPES) {
                DecoderModel model = DecoderModel.load(dir, options.withDecodeWeights(d));
                models.put(d, model);
                hosts.put(d, new HostDecodeStep(HostDecodeWeights.of(model, d), pool));
            }
            DecoderModel first = models.get(WeightsDtype.FLOAT32);
            long[] prompt = GenerationBenchmark.prompt(promptTokens, first.config().vocabSize());
            System.out.printf(Locale.ROOT, "model %s (%s, %,d parameters), threads %d (claws: engine intra-op and "
                            + "decode rows; prototype: its own RowParallel pool), %d-bit vectors, prompt %d tokens "
                            + "(token i = (7919 i + 13) mod vocab), %d new tokens, load average %s%n", dir,
                    first.config().architecture().className(), first.config().parameterCount(), threads,
                    HostOps.lanes() * 32, promptTokens, newTokens, loadAverage());
            if (!cl.has("skip-parity")) {
                parity(models, hosts, prompt, newTokens);
            }
            if (!cl.has("skip-speed")) {
                speed(models, hosts, prompt, newTokens, cl.getInt("rounds", 7), cl.getInt("warmup", 1));
            }
        } finally {
            models.values().forEach(DecoderModel::close);
        }
    }

    private static void parity(Map<WeightsDtype, DecoderModel> models, Map<WeightsDtype, HostDecodeStep> hosts,
                               long[] prompt, int steps) {
        System.out.println();
        System.out.println("PARITY: host prototype vs claws decode (same dtype), teacher-forced on claws float32's "
                + "greedy tokens");
        System.out.println("decode weights | after the prompt: max |diff| | decode steps: max |diff| | mean per-step "
                + "max | greedy agreement");
        long[] tokens = null;
        for (WeightsDtype d : DTYPES) {
            HostDecodeParity p = HostDecodeParity.compare(models.get(d), hosts.get(d), prompt, tokens, steps);
            tokens = p.tokens();
            System.out.printf(Locale.ROOT, "  %-8s | %.2e | %.2e | %.2e | %d/%d%n", d.label(), p.promptMaxDiff(),
                    p.maxStepDiff(), p.meanStepDiff(), p.agreeing(), steps);
        }
    }

    /** One engine's runs, one entry per round: decode tokens/s, greedy tokens, and (prototype) ms per step by op kind. */
    private static final class Runs {
        final List<Double> tokensPerSecond = new ArrayList<>();
        final List<long[]> tokens = new ArrayList<>();
        final List<double[]> opMillis = new ArrayList<>();

        void add(double tokPerSecond, long[] greedyTokens, double[] opMillisPerStep) {
            tokensPerSecond.add(tokPerSecond);
            tokens.add(greedyTokens);
            if (opMillisPerStep != null) {
                opMillis.add(opMillisPerStep);
            }
        }
    }

    private static void speed(Map<WeightsDtype, DecoderModel> models, Map<WeightsDtype, HostDecodeStep> hosts,
                              long[] prompt, int newTokens, int rounds, int warmup) {
        GenerationSettings greedy = GenerationSettings.greedy(newTokens).withStopTokenIds(List.of());
        Map<String, Runs> runs = new LinkedHashMap<>();
        System.out.println();
        System.out.printf(Locale.ROOT, "SPEED: %d rounds (+%d warm-up), each round runs claws then the prototype per "
                + "dtype; decode tok/s over the %d steps after the first new token; load average before: %s%n",
                rounds, warmup, newTokens - 1, loadAverage());
        for (int r = -warmup; r < rounds; r++) {
            StringBuilder line = new StringBuilder(r < 0 ? "  warm-up" : "  round " + (r + 1));
            for (WeightsDtype d : DTYPES) {
                GenerationResult g = models.get(d).generate(prompt, greedy);
                double claws = g.timings().decodeTokensPerSecond();
                HostRun host = HostRun.generate(hosts.get(d), prompt, newTokens);
                line.append(String.format(Locale.ROOT, " | claws %s %.1f, host %s %.1f", d.label(), claws, d.label(),
                        host.decodeTokensPerSecond()));
                if (r >= 0) {
                    runs.computeIfAbsent("claws " + d.label(), k -> new Runs()).add(claws, g.tokenIds(), null);
                    runs.computeIfAbsent("host prototype " + d.label(), k -> new Runs())
                            .add(host.decodeTokensPerSecond(), host.tokens(), host.opMillisPerStep());
                }
            }
            System.out.println(line);
        }
        System.out.println("load average after: " + loadAverage());
        long[] reference = runs.get("claws float32").tokens.get(0);
        System.out.println("engine | decode tok/s median (min..max) | ms/token (median) | own greedy tokens equal to "
                + "claws float32's (every round)");
        runs.forEach((name, r) -> {
            double[] v = sorted(r.tokensPerSecond);
            int equal = r.tokens.stream().mapToInt(t -> countEqual(t, reference)).min().orElse(0);
            System.out.printf(Locale.ROOT, "  %-24s | %6.1f (%.1f..%.1f) | %6.2f | %d/%d%n", name, median(v), v[0],
                    v[v.length - 1], 1000 / median(v), equal, reference.length);
        });
        for (WeightsDtype d : DTYPES) {
            double ratio = median(sorted(runs.get("host prototype " + d.label()).tokensPerSecond))
                    / median(sorted(runs.get("claws " + d.label()).tokensPerSecond));
            System.out.printf(Locale.ROOT, "ratio host prototype / claws, %s: %.2fx (medians)%n", d.label(), ratio);
        }
        opTable(hosts, runs);
    }

    /** The prototype's step by op kind: median ms per step over the rounds, and weight GB/s for the products. */
    private static void opTable(Map<WeightsDtype, HostDecodeStep> hosts, Map<String, Runs> runs) {
        System.out.println();
        System.out.println("PROTOTYPE STEP BY OP KIND: ms per decode step, median (min..max) over the rounds; "
                + "products with the GB/s of weights they read at the median");
        for (WeightsDtype d : DTYPES) {
            List<double[]> ops = runs.get("host prototype " + d.label()).opMillis;
            long[] bytes = hosts.get(d).weightBytes();
            double total = 0;
            System.out.printf(Locale.ROOT, "  %s%n", d.label());
            for (HostDecodeStep.Op op : HostDecodeStep.Op.values()) {
                double[] v = ops.stream().mapToDouble(o -> o[op.ordinal()]).sorted().toArray();
                total += median(v);
                String rate = bytes[op.ordinal()] == 0 ? "" : String.format(Locale.ROOT, " | %.0f MB, %.1f GB/s",
                        bytes[op.ordinal()] / 1e6, bytes[op.ordinal()] / median(v) / 1e6);
                System.out.printf(Locale.ROOT, "    %-10s | %6.3f (%.3f..%.3f)%s%n", op, median(v), v[0],
                        v[v.length - 1], rate);
            }
            System.out.printf(Locale.ROOT, "    sum of medians %.2f ms per step%n", total);
        }
    }

    private static double[] sorted(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static int countEqual(long[] a, long[] b) {
        int equal = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            equal += a[i] == b[i] ? 1 : 0;
        }
        return equal;
    }

    /** The 1-, 5- and 15-minute load averages as `uptime` prints them. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(", ", Arrays.copyOf(f, 3));
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** One greedy generation on the host prototype: its tokens, decode time and the op times of its decode steps. */
    record HostRun(long[] tokens, long promptNanos, long decodeNanos, long[] opNanos) {

        /** Prompt as one-token steps, then {@code newTokens} greedy tokens; op times cover the steps after the first. */
        static HostRun generate(HostDecodeStep host, long[] prompt, int newTokens) {
            host.reset();
            long promptStart = System.nanoTime();
            float[] logits = null;
            for (long id : prompt) {
                logits = host.step((int) id);
            }
            long promptNanos = System.nanoTime() - promptStart;
            long[] tokens = new long[newTokens];
            tokens[0] = HostOps.argmax(logits, logits.length);
            host.clearTimes();
            long start = System.nanoTime();
            for (int i = 1; i < newTokens; i++) {
                logits = host.step((int) tokens[i - 1]);
                tokens[i] = HostOps.argmax(logits, logits.length);
            }
            return new HostRun(tokens, promptNanos, System.nanoTime() - start, host.opNanos());
        }

        double decodeTokensPerSecond() {
            return (tokens.length - 1) * 1e9 / decodeNanos;
        }

        /** ms per decode step of each op kind (index = ordinal). */
        double[] opMillisPerStep() {
            double[] ms = new double[opNanos.length];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = opNanos[i] / 1e6 / (tokens.length - 1);
            }
            return ms;
        }
    }
}

package dev.claws.api.tools;

import dev.claws.api.v1.FinishReason;
import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.GenerateStreamResponse;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.model.TextTokenizer;
import dev.claws.model.tools.CommandLine;
import dev.claws.model.tools.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory and speed of the packaged server on a real model, watched from outside through its resident set size
 * (/proc/PID/status VmRSS, sampled every few seconds). Starts {@code target/quarkus-app/quarkus-run.jar} (or
 * {@code --jar}) on {@code --model} as the default variant, on free random ports, and runs the scenarios:
 * <ul>
 * <li>{@code long-prompt}: one Generate with a prompt of {@code --prompt-tokens} WikiText-2 tokens and one new token;
 *     prints RSS before, its peak during the request and RSS after (what the request left behind).</li>
 * <li>{@code max-new-tokens}: the same 4 greedy tokens, ended by a stop sequence, requested with max_new_tokens 16
 *     and 4096 in turn ({@code --repeats} interleaved pairs); prints the server's decode_ms, median (min..max).</li>
 * <li>{@code soak}: {@code --soak-tokens} generated tokens at {@code --concurrency}, alternating Generate and
 *     GenerateStream; prints RSS after warm-up (the first 10 % of the tokens), at the end, the least-squares slope of
 *     RSS over generated tokens in MB per 1,000 tokens, and tokens/s.</li>
 * </ul>
 * {@code --server-jvm-options} adds JVM options to the server (e.g. {@code "-Xms1g -XX:+AlwaysPreTouch"} commits the
 * whole Java heap at start, so its gradual growth is not mistaken for native memory).
 * {@code --max-rss-mb} (default 12000) guards a shared machine: a watchdog kills the server when its RSS passes it and
 * the scenario reports where it stopped.
 */
public final class ServingMemoryBenchmark {

    private static final long MB = 1024L * 1024;

    private final ManagedChannel channel;
    private final InferenceGrpc.InferenceBlockingStub inference;
    private final long pid;
    private final TextTokenizer tokenizer;
    private final String corpus;

    private ServingMemoryBenchmark(ManagedChannel channel, long pid, TextTokenizer tokenizer, String corpus) {
        this.channel = channel;
        this.inference = InferenceGrpc.newBlockingStub(channel);
        this.pid = pid;
        this.tokenizer = tokenizer;
        this.corpus = corpus;
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli = new CommandLine(args, Set.of());
        Path model = Path.of(cli.require("model"));
        Path jar = Path.of(cli.get("jar", "target/quarkus-app/quarkus-run.jar"));
        String scenarios = cli.get("scenarios", "long-prompt,max-new-tokens,soak");
        Path corpusFile = Path.of(cli.get("corpus", "../shared/data/wikitext-2-raw/wiki.test.raw"));
        Path work = Files.createTempDirectory("claws-serving-bench");
        int[] ports = FreePorts.of(2);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + cli.get("xmx", "1g"), "--add-modules", "jdk.incubator.vector", "-Dquarkus.grpc.server.port=" + ports[0],
                "-Dquarkus.http.port=" + ports[1], "-Dclaws.data-dir=" + work.resolve("data"),
                "-Dclaws.model.default=" + model.toAbsolutePath()));
        for (String p : cli.get("server-properties", "").split(",")) {
            if (!p.isBlank()) {
                command.add("-D" + p.trim());
            }
        }
        for (String o : cli.get("server-jvm-options", "").split(" ")) {
            if (!o.isBlank()) {
                command.add(o);
            }
        }
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        Path log = work.resolve("server.log");
        System.out.println("server: " + String.join(" ", command) + "  (log " + log + ")");
        Process server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", ports[0]).usePlaintext().build();
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            awaitServing(channel, server, log);
            ServingMemoryBenchmark b = new ServingMemoryBenchmark(channel, server.pid(), tok,
                    Files.readString(corpusFile));
            System.out.printf("server up, RSS %.0f MB%n", b.rssMb());
            double ceiling = Double.parseDouble(cli.get("max-rss-mb", "12000"));
            Thread watchdog = new Thread(() -> {
                while (server.isAlive()) {
                    double rss = b.rssMb();
                    if (rss > ceiling) {
                        System.out.printf("watchdog: server RSS %.0f MB passed --max-rss-mb %.0f: killing it%n", rss,
                                ceiling);
                        server.destroyForcibly();
                    }
                    sleep(250);
                }
            });
            watchdog.setDaemon(true);
            watchdog.start();
            for (String s : scenarios.split(",")) {
                if (!server.isAlive()) {
                    System.out.println(s.trim() + ": not run, the server is gone");
                    continue;
                }
                switch (s.trim()) {
                    case "long-prompt" -> b.longPrompt(Integer.parseInt(cli.get("prompt-tokens", "7500")));
                    case "max-new-tokens" -> b.maxNewTokens(Integer.parseInt(cli.get("repeats", "5")));
                    case "soak" -> b.soak(server, Long.parseLong(cli.get("soak-tokens", "10000")),
                            Integer.parseInt(cli.get("concurrency", "8")),
                            Integer.parseInt(cli.get("request-tokens", "64")));
                    default -> throw new IllegalArgumentException("unknown scenario '" + s + "'");
                }
            }
        } finally {
            channel.shutdownNow();
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** Text of about {@code tokens} tokens of the corpus, starting {@code offset} tokens in. */
    private String promptOf(int tokens, int offset) {
        long[] ids = tokenizer.encode(corpus.substring(0, Math.min(corpus.length(), 8 * (tokens + offset) + 1000)),
                false);
        return tokenizer.decode(Arrays.copyOfRange(ids, offset, offset + tokens), true);
    }

    private void longPrompt(int tokens) throws Exception {
        String prompt = promptOf(tokens, 0);
        // a short request first, so one-time start-up costs are not counted as the long prompt's
        generate(GenerateRequest.newBuilder().setPrompt(promptOf(16, 0)).setMaxNewTokens(1).build());
        double before = rssMb();
        RssSampler sampler = RssSampler.start(this, 200);
        long t0 = System.nanoTime();
        String outcome;
        try {
            GenerateResponse r = generate(GenerateRequest.newBuilder().setPrompt(prompt).setMaxNewTokens(1).build());
            outcome = String.format("served: %d prompt tokens, prefill %.0f ms", r.getTiming().getPromptTokens(),
                    r.getTiming().getPrefillMs());
        } catch (StatusRuntimeException e) {
            outcome = "refused: " + e.getStatus();
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        List<double[]> samples = sampler.stop();
        Thread.sleep(2000);
        double after = rssMb();
        double peak = samples.stream().mapToDouble(s -> s[1]).filter(x -> !Double.isNaN(x)).max().orElse(before);
        System.out.printf("long-prompt (%d tokens asked): %s, wall %.0f ms; RSS before %.0f MB, peak %.0f MB "
                + "(+%.0f MB), after %.0f MB (+%.0f MB retained)%n", tokens, outcome, wall, before, peak,
                peak - before, after, after - before);
    }

    private void maxNewTokens(int repeats) {
        String prompt = promptOf(40, 200);
        // the 4th greedy token's text, if it does not occur earlier, ends the generation after exactly 4 tokens
        String stop = null;
        for (int shift = 0; shift < 20 && stop == null; shift++) {
            String p = promptOf(40, 200 + 37 * shift);
            String three = generate(GenerateRequest.newBuilder().setPrompt(p).setMaxNewTokens(3).build()).getText();
            String four = generate(GenerateRequest.newBuilder().setPrompt(p).setMaxNewTokens(4).build()).getText();
            String piece = four.substring(three.length());
            if (four.startsWith(three) && !piece.isBlank() && !three.contains(piece.strip())) {
                stop = piece.strip();
                prompt = p;
            }
        }
        if (stop == null) {
            throw new IllegalStateException("no prompt found whose 4th token can serve as a stop sequence");
        }
        double[][] decode = new double[2][repeats];
        int[] limits = {16, 4096};
        for (int r = 0; r < repeats; r++) {
            for (int k = 0; k < 2; k++) {
                GenerateResponse g = generate(GenerateRequest.newBuilder().setPrompt(prompt).setMaxNewTokens(limits[k])
                        .addStop(stop).build());
                if (g.getFinishReason() != FinishReason.FINISH_REASON_STOP_SEQUENCE
                        || g.getTiming().getGeneratedTokens() != 4) {
                    throw new IllegalStateException("expected 4 tokens ended by the stop sequence, got "
                            + g.getTiming().getGeneratedTokens() + " " + g.getFinishReason());
                }
                decode[k][r] = g.getTiming().getDecodeMs();
            }
        }
        double[] pairs = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            pairs[r] = decode[1][r] / decode[0][r];
        }
        System.out.printf("max-new-tokens: 4 tokens (stop %s), decode_ms at max_new_tokens 16: %s; at 4096: %s; "
                + "ratio of medians %.2f, of minima %.2f, median of the %d paired ratios %.2f; RSS now %.0f MB%n",
                quote(stop), stats(decode[0]), stats(decode[1]), median(decode[1]) / median(decode[0]),
                Arrays.stream(decode[1]).min().orElse(0) / Arrays.stream(decode[0]).min().orElse(1), repeats,
                median(pairs), rssMb());
    }

    private void soak(Process server, long totalTokens, int concurrency, int requestTokens) throws Exception {
        AtomicLong generated = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        long warmUpTokens = totalTokens / 10;
        double[] warmUp = {Double.NaN};
        List<double[]> samples = new ArrayList<>(); // {tokens, rss MB}
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                double rss = rssMb();
                synchronized (samples) {
                    samples.add(new double[] {generated.get(), rss});
                }
                sleep(3000);
            }
        });
        sampler.setDaemon(true);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long t0 = System.nanoTime();
        long[] warmAt = {0, 0};
        sampler.start();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            workers.add(pool.submit(() -> {
                int i = 0;
                while (generated.get() < totalTokens && server.isAlive()) {
                    String prompt = promptOf(24 + 8 * ((worker + i) % 5), 53 * (worker * 31 + i) % 4000);
                    GenerateRequest req = GenerateRequest.newBuilder().setPrompt(prompt).setMaxNewTokens(requestTokens)
                            .setTemperature(0.8f).setSeed(1000L * worker + i).build();
                    int n = (i + worker) % 2 == 0 ? generate(req).getTiming().getGeneratedTokens() : stream(req);
                    long now = generated.addAndGet(n);
                    requests.incrementAndGet();
                    synchronized (warmUp) {
                        if (Double.isNaN(warmUp[0]) && now >= warmUpTokens) {
                            warmUp[0] = rssMb();
                            warmAt[0] = now;
                            warmAt[1] = System.nanoTime();
                        }
                    }
                    i++;
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (server.isAlive()) {
                    throw e;
                }
            }
        }
        if (!server.isAlive()) {
            System.out.printf("soak: stopped after %d tokens, the server was killed; RSS samples (tokens, MB): %s%n",
                    generated.get(), samples.stream().map(x -> String.format("%.0f:%.0f", x[0], x[1])).toList());
        }
        long t1 = System.nanoTime();
        done.set(true);
        sampler.join();
        pool.shutdown();
        double end = rssMb();
        List<double[]> after;
        synchronized (samples) {
            samples.add(new double[] {generated.get(), end});
            after = samples.stream().filter(s -> s[0] >= warmAt[0] && !Double.isNaN(s[1])).toList();
        }
        double slope = slope(after) * 1000;
        double peak = samples.stream().mapToDouble(s -> s[1]).filter(x -> !Double.isNaN(x)).max().orElse(end);
        System.out.printf("soak: %d tokens in %d requests (Generate and GenerateStream alternating) at concurrency %d, "
                + "%.1f s, %.1f tokens/s (%.1f tokens/s after warm-up); RSS after warm-up (%d tokens) %.0f MB, at the end "
                + "%.0f MB (%+.1f %%), peak %.0f MB, slope %.2f MB per 1,000 tokens (%d samples after warm-up)%n",
                generated.get(), requests.get(), concurrency, (t1 - t0) / 1e9, generated.get() / ((t1 - t0) / 1e9),
                (generated.get() - warmAt[0]) / ((t1 - warmAt[1]) / 1e9), warmAt[0], warmUp[0], end,
                100 * (end - warmUp[0]) / warmUp[0], peak, slope, after.size());
    }

    private GenerateResponse generate(GenerateRequest request) {
        return inference.withDeadlineAfter(30, TimeUnit.MINUTES).generate(request);
    }

    private int stream(GenerateRequest request) {
        Iterator<GenerateStreamResponse> it = inference.withDeadlineAfter(30, TimeUnit.MINUTES)
                .generateStream(request);
        int tokens = 0;
        while (it.hasNext()) {
            GenerateStreamResponse r = it.next();
            if (r.getDone()) {
                tokens = r.getTiming().getGeneratedTokens();
            }
        }
        return tokens;
    }

    /** The server's resident set size in MB (VmRSS of /proc/PID/status). */
    double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            return Double.NaN; // the process has gone
        }
        return Double.NaN;
    }

    /** Samples RSS every {@code periodMillis} on a background thread. */
    private static final class RssSampler {
        private final List<double[]> samples = new ArrayList<>();
        private final AtomicBoolean done = new AtomicBoolean();
        private Thread thread;

        static RssSampler start(ServingMemoryBenchmark b, long periodMillis) {
            RssSampler s = new RssSampler();
            long t0 = System.nanoTime();
            s.thread = new Thread(() -> {
                while (!s.done.get()) {
                    double rss = b.rssMb();
                    synchronized (s.samples) {
                        s.samples.add(new double[] {(System.nanoTime() - t0) / 1e9, rss});
                    }
                    sleep(periodMillis);
                }
            });
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        List<double[]> stop() throws InterruptedException {
            done.set(true);
            thread.join();
            synchronized (samples) {
                return new ArrayList<>(samples);
            }
        }
    }

    /** Least-squares slope of y over x for points {x, y}. */
    private static double slope(List<double[]> points) {
        int n = points.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String stats(double[] v) {
        double min = Arrays.stream(v).min().orElse(0);
        double max = Arrays.stream(v).max().orElse(0);
        return String.format("%.0f ms (%.0f..%.0f)", median(v), min, max);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitServing(ManagedChannel channel, Process server, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("server exited with " + server.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try {
                // the default model loads after the port opens: wait until it answers a one-token request
                InferenceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .generate(GenerateRequest.newBuilder().setPrompt("Hello").setMaxNewTokens(1).build());
                return;
            } catch (StatusRuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("server did not answer a one-token Generate within 300 s (log " + log + ")");
    }
}

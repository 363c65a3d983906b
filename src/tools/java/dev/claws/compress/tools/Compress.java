package dev.claws.compress.tools;

import dev.claws.compress.PruningMethod;
import dev.claws.compress.CompressionOutcome;
import dev.claws.compress.CompressionSpec;
import dev.claws.compress.Compressor;
import dev.claws.compress.SliceGptPcaMode;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.TextTokenizer;
import dev.claws.model.tools.CommandLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Compresses a checkpoint directory from the command line, outside the server (the server's SubmitCompression job runs
 * the same {@link Compressor}):
 *
 * <pre>
 * ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.compress.tools.Compress \
 *   -Dexec.args="--base models/claws-tiny --out /tmp/claws-tiny-rp50 --method random_prune --ratio 0.5 --seed 11"
 * </pre>
 * Options: --method random_prune|slicegpt, --ratio in (0,1), --seed (random_prune, default 42), --prune-heads
 * (random_prune extension), and for slicegpt --pca sequential|single_pass (default sequential, see
 * {@link SliceGptPcaMode}) with either --calibration-text FILE (raw text, tokenized with the base's tokenizer and cut into
 * --samples sequences of --length tokens; defaults 16 and 128) or --calibration-ids FILE (token windows, one per line,
 * ids separated by spaces: the same windows another implementation is fed). --eval-ids FILE (same format) then
 * prints the written model's cross-entropy on those windows: the mean over windows of the mean NLL of tokens 1..T-1
 * (nats), and its exponential (perplexity), as the reference perplexity code computes it.
 */
public final class Compress {

    private Compress() {
    }

    public static void main(String[] args) throws IOException {
        try {
            run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void run(String[] args) throws IOException {
        CommandLine cl = new CommandLine(args, Set.of("prune-heads"));
        Path base = Path.of(cl.require("base"));
        Path out = Path.of(cl.require("out"));
        PruningMethod method = PruningMethod.valueOf(cl.require("method").toUpperCase(Locale.ROOT));
        SliceGptPcaMode pca = cl.has("pca") ? SliceGptPcaMode.valueOf(cl.get("pca", "").toUpperCase(Locale.ROOT)) : null;
        CompressionSpec spec = new CompressionSpec(method, cl.getDouble("ratio", Double.NaN),
                Long.parseLong(cl.get("seed", "42")), cl.has("prune-heads"), pca);
        List<long[]> calibration = List.of();
        if (method == PruningMethod.SLICEGPT) {
            calibration = cl.has("calibration-ids") ? windows(Path.of(cl.get("calibration-ids", "")))
                    : calibration(base, Path.of(cl.require("calibration-text")), cl.getInt("samples", 16),
                            cl.getInt("length", 128));
        }
        CompressionOutcome outcome = Compressor.compress(base, out, spec, calibration, EngineOptions.cpu(),
                (fraction, stage, message) -> System.err.printf(Locale.ROOT, "%5.1f%% %s %s%n", 100 * fraction,
                        stage, message));
        System.out.printf(Locale.ROOT, "wrote %s: %d parameters, %d bytes%n", outcome.directory(),
                outcome.parameterCount(), outcome.bytes());
        if (cl.has("eval-ids")) {
            List<long[]> eval = windows(Path.of(cl.get("eval-ids", "")));
            double sum = 0;
            try (DecoderModel model = DecoderModel.load(outcome.directory(), EngineOptions.cpu())) {
                for (long[] window : eval) {
                    double[] logProbs = model.sequenceLogProbs(window);
                    sum += -Arrays.stream(logProbs).average().orElseThrow();
                }
            }
            double ce = sum / eval.size();
            System.out.printf(Locale.ROOT, "cross-entropy %.4f perplexity %.3f over %d windows of %d tokens%n", ce,
                    Math.exp(ce), eval.size(), eval.get(0).length);
        }
    }

    /** Token windows, one per non-blank line, ids separated by whitespace. */
    static List<long[]> windows(Path file) throws IOException {
        List<long[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(Arrays.stream(line.trim().split("\\s+")).mapToLong(Long::parseLong).toArray());
            }
        }
        if (out.isEmpty() || out.stream().anyMatch(w -> w.length < 2)) {
            throw new IllegalArgumentException(file + " must hold at least one window of at least 2 token ids");
        }
        return out;
    }

    /** Consecutive windows of the tokenized text; fewer than requested when the text is short. */
    static List<long[]> calibration(Path base, Path text, int samples, int length) throws IOException {
        if (samples <= 0 || length <= 0) {
            throw new IllegalArgumentException("--samples and --length must be positive");
        }
        long[] ids;
        try (TextTokenizer tokenizer = TextTokenizer.load(base)) {
            ids = tokenizer.encode(Files.readString(text), false);
        }
        List<long[]> windows = new ArrayList<>();
        for (int start = 0; start + length <= ids.length && windows.size() < samples; start += length) {
            windows.add(java.util.Arrays.copyOfRange(ids, start, start + length));
        }
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("--calibration-text " + text + " has fewer than " + length + " tokens");
        }
        return windows;
    }
}

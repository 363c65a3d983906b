package dev.claws.compress.tools;

import dev.claws.compress.CompressionMethod;
import dev.claws.compress.CompressionOutcome;
import dev.claws.compress.CompressionSpec;
import dev.claws.compress.Compressor;
import dev.claws.model.EngineOptions;
import dev.claws.model.TextTokenizer;
import dev.claws.model.tools.CommandLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * (random_prune extension), and for slicegpt --calibration-text FILE (raw text, tokenized with the base's tokenizer and
 * cut into --samples sequences of --length tokens; defaults 16 and 128).
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
        CompressionMethod method = CompressionMethod.valueOf(cl.require("method").toUpperCase(Locale.ROOT));
        CompressionSpec spec = new CompressionSpec(method, cl.getDouble("ratio", Double.NaN),
                Long.parseLong(cl.get("seed", "42")), cl.has("prune-heads"));
        List<long[]> calibration = method == CompressionMethod.SLICEGPT
                ? calibration(base, Path.of(cl.require("calibration-text")), cl.getInt("samples", 16),
                        cl.getInt("length", 128))
                : List.of();
        CompressionOutcome outcome = Compressor.compress(base, out, spec, calibration, EngineOptions.cpu(),
                (fraction, stage, message) -> System.err.printf(Locale.ROOT, "%5.1f%% %s %s%n", 100 * fraction,
                        stage, message));
        System.out.printf(Locale.ROOT, "wrote %s: %d parameters, %d bytes%n", outcome.directory(),
                outcome.parameterCount(), outcome.bytes());
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

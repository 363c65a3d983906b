package dev.claws.train.tools;

import dev.claws.eval.Corpus;
import dev.claws.eval.CrossEntropyEvaluator;
import dev.claws.eval.CrossEntropyResult;
import dev.claws.eval.EngineScorer;
import dev.claws.eval.EvalProgress;
import dev.claws.model.EngineOptions;
import dev.claws.model.LanguageModel;
import dev.claws.model.tools.CommandLine;
import dev.claws.train.LoraConfig;
import dev.claws.train.LoraTarget;
import dev.claws.train.LrSchedule;
import dev.claws.train.Recovery;
import dev.claws.train.RecoverySpec;
import dev.claws.train.TrainingConfig;
import dev.claws.train.TrainingData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Recovery fine-tuning from the command line, outside the server (the SubmitRecovery job runs the same
 * {@link Recovery}), optionally with WikiText-2 test cross-entropy of the input and the recovered checkpoint:
 *
 * <pre>
 * ./mvnw -q compile exec:java -Dexec.mainClass=dev.claws.train.tools.Recover \
 *   -Dexec.args="--model /tmp/smollm2-rp50 --out /tmp/smollm2-rp50-rft25k --tokens 24576 --eval-tokens 16384"
 * </pre>
 * Options: --data alpaca|wikitext2|ptb (default alpaca; wikitext2 and ptb mean their validation splits), --tokens D, --seed (42), --rank (8), --alpha (16),
 * --dropout (0.05), --targets q,k,v,o,gate,up,down (all), --seq (256), --rows (4), --tokens-per-step (2048),
 * --lr (2e-4), --weight-decay (0), --warmup (steps, default 10% of the steps), --decay linear|cosine, --clip (1.0),
 * --adapter DIR (also write the peft adapter), --data-dir (../shared/data), --threads (2), --eval-tokens N
 * (WikiText-2 test tokens in 256-token windows; 0 = no evaluation), --skip-source-eval (evaluate only the result),
 * --eval-base DIR (evaluate one more checkpoint), --eval-only (no training: evaluate each checkpoint of a
 * comma-separated --model on the same --eval-tokens).
 */
public final class Recover {

    private Recover() {
    }

    public static void main(String[] args) throws IOException {
        CommandLine cl = new CommandLine(args, Set.of("skip-source-eval", "eval-only"));
        if (cl.has("eval-only")) {
            // the same windows for every checkpoint listed: --model a,b,c --eval-tokens N
            EngineOptions options = EngineOptions.cpu(cl.getInt("threads", 2));
            for (String m : cl.require("model").split(",")) {
                evaluate(Path.of(m), Path.of(cl.get("data-dir", "../shared/data")),
                        Long.parseLong(cl.require("eval-tokens")), options);
            }
            return;
        }
        Path model = Path.of(cl.require("model"));
        Path out = Path.of(cl.require("out"));
        TrainingData data = TrainingData.byId(cl.get("data", "alpaca"))
                .orElseThrow(() -> new IllegalArgumentException("--data must be alpaca, wikitext2 or ptb"));
        Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (String t : cl.get("targets", "q,k,v,o,gate,up,down").split(",")) {
            targets.add(LoraTarget.byName(t).orElseThrow(() -> new IllegalArgumentException("unknown target " + t)));
        }
        LoraConfig lora = new LoraConfig(cl.getInt("rank", 8), cl.getDouble("alpha", 16), cl.getDouble("dropout", 0.05),
                targets);
        TrainingConfig training = new TrainingConfig(cl.getInt("seq", 256), cl.getInt("rows", 4),
                cl.getInt("tokens-per-step", 2048), cl.getDouble("lr", 2e-4), cl.getDouble("weight-decay", 0),
                0.9, 0.999, 1e-8, 0, LrSchedule.Decay.valueOf(cl.get("decay", "linear").toUpperCase(Locale.ROOT)),
                cl.getDouble("clip", 1.0));
        long tokens = Long.parseLong(cl.require("tokens"));
        long seed = Long.parseLong(cl.get("seed", "42"));
        RecoverySpec probe = new RecoverySpec(data, tokens, lora, training, seed);
        int warmup = cl.getInt("warmup", probe.steps() / 10);
        RecoverySpec spec = new RecoverySpec(data, tokens, lora, training.withWarmup(warmup), seed);
        EngineOptions options = EngineOptions.cpu(cl.getInt("threads", 2));
        Path dataDir = Path.of(cl.get("data-dir", "../shared/data"));
        long evalTokens = Long.parseLong(cl.get("eval-tokens", "0"));
        if (cl.has("eval-base")) {
            evaluate(Path.of(cl.require("eval-base")), dataDir, evalTokens, options);
        }
        if (evalTokens > 0 && !cl.has("skip-source-eval")) {
            evaluate(model, dataDir, evalTokens, options);
        }
        System.out.printf(Locale.ROOT, "training %s on %s: D = %d tokens in %d steps of %d, rank %d, alpha %s, lr %s%n",
                model, data.id(), spec.tokens(), spec.steps(), training.tokensPerStep(), lora.rank(), lora.alpha(),
                training.learningRate());
        long[] lastReport = {0};
        Recovery.Outcome outcome = Recovery.run(model, out, cl.has("adapter") ? Path.of(cl.require("adapter")) : null,
                dataDir, spec, options, (done, budget, loss, tps, stage) -> {
                    long now = System.nanoTime();
                    if (now - lastReport[0] > 20e9 || done == budget) {
                        lastReport[0] = now;
                        System.out.printf(Locale.ROOT, "  %s %d/%d tokens, smoothed loss %.4f, %.1f tokens/s, RSS %d MiB%n",
                                stage, done, budget, loss, tps, rssMiB());
                    }
                });
        System.out.printf(Locale.ROOT, "wrote %s: %d tokens, %d steps, first loss %.4f, final smoothed loss %.4f, "
                        + "%.1f s, %.1f tokens/s, %d trainable parameters%n", out, outcome.tokens(), outcome.steps(),
                outcome.firstLoss(), outcome.lastSmoothedLoss(), outcome.seconds(), outcome.tokens() / outcome.seconds(),
                outcome.trainableParameters());
        if (evalTokens > 0) {
            evaluate(out, dataDir, evalTokens, options);
        }
    }

    private static void evaluate(Path checkpoint, Path dataDir, long tokens, EngineOptions options) throws IOException {
        long start = System.nanoTime();
        try (LanguageModel lm = LanguageModel.load(checkpoint, options)) {
            CrossEntropyResult r = new CrossEntropyEvaluator(new EngineScorer(lm), 256, tokens)
                    .evaluate(Corpus.WIKITEXT2.read(dataDir), EvalProgress.NONE);
            System.out.printf(Locale.ROOT, "wikitext2 test cross-entropy of %s: %.4f nats (+- %.4f, %d windows of %d "
                            + "tokens, perplexity %.2f, %.1f s)%n", checkpoint, r.meanNll(), r.stderr(), r.windows(),
                    r.windowLength(), r.perplexity(), (System.nanoTime() - start) / 1e9);
        }
    }

    static long rssMiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}

package dev.claws.model.tools;

import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.GenerationSettings;
import dev.claws.model.InferenceSession;
import dev.claws.model.WeightsDtype;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Logit error of bfloat16 and int8 decode weights against float32 on a checkpoint: greedy-decodes --new-tokens tokens
 * after a --prompt-tokens prompt with float32 (the engine path), then feeds those same tokens one step at a time
 * through each dtype's decode weights and compares each decode step's logits (the prompt's are float32 for all) with float32's: max |logit diff|, mean of the
 * per-step max, and how often the greedy token agrees; plus how many tokens of each dtype's own greedy run match
 * float32's.
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.mainClass=dev.claws.model.tools.DecodeWeightsError \
 *   -Dexec.args="--model /tmp/smollm2-hf --prompt-tokens 32 --new-tokens 64"
 * </pre>
 */
public final class DecodeWeightsError {

    private DecodeWeightsError() {
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(args, Set.of());
        Path dir = Path.of(cl.require("model"));
        int promptTokens = cl.getInt("prompt-tokens", 32);
        int newTokens = cl.getInt("new-tokens", 64);
        EngineOptions options = new EngineOptions("cpu", cl.getInt("threads", 2));
        Engines.pytorch(options);
        float[][] reference;
        long[] tokens;
        long[] prompt;
        GenerationSettings greedy = GenerationSettings.greedy(newTokens).withStopTokenIds(List.of());
        try (DecoderModel model = DecoderModel.load(dir, options)) {
            prompt = GenerationBenchmark.prompt(promptTokens, model.config().vocabSize());
            tokens = new long[newTokens];
            reference = new float[newTokens][];
            try (InferenceSession s = model.newSession(promptTokens + newTokens)) {
                float[] logits = s.feedLast(prompt);
                for (int i = 0; i < newTokens; i++) {
                    reference[i] = logits;
                    tokens[i] = HostOps.argmax(logits, logits.length);
                    logits = s.feedLast(new long[] {tokens[i]});
                }
            }
        }
        System.out.printf(Locale.ROOT, "model %s, prompt %d tokens, %d greedy float32 tokens (engine path) as the "
                + "reference%n", dir, promptTokens, newTokens);
        System.out.println("decode weights | max |logit diff| | mean per-step max | greedy agreement (teacher-forced) "
                + "| own greedy run: tokens equal to float32's (first difference at)");
        for (WeightsDtype d : WeightsDtype.values()) {
            try (DecoderModel model = DecoderModel.load(dir, options.withDecodeWeights(d))) {
                double max = 0;
                double sum = 0;
                int agree = 0;
                try (InferenceSession s = model.newSession(promptTokens + newTokens)) {
                    float[] logits = s.feedLast(prompt);
                    for (int i = 0; i < newTokens; i++) {
                        if (i == 0) { // the prompt's logits: engine float32 for every dtype
                            logits = s.feedGenerating(new long[] {tokens[i]});
                            continue;
                        }
                        double stepMax = 0;
                        for (int j = 0; j < logits.length; j++) {
                            stepMax = Math.max(stepMax, Math.abs(logits[j] - reference[i][j]));
                        }
                        max = Math.max(max, stepMax);
                        sum += stepMax;
                        agree += HostOps.argmax(logits, logits.length) == tokens[i] ? 1 : 0;
                        logits = s.feedGenerating(new long[] {tokens[i]});
                    }
                }
                long[] own = model.generate(prompt, greedy).tokenIds();
                int equal = 0;
                int first = -1;
                for (int i = 0; i < newTokens; i++) {
                    if (own[i] == tokens[i]) {
                        equal++;
                    } else if (first < 0) {
                        first = i;
                    }
                }
                System.out.printf(Locale.ROOT, "  %-8s | %.5f | %.5f | %d/%d | %d/%d (%s)%n", d.label(), max,
                        sum / (newTokens - 1), agree, newTokens - 1, equal, newTokens, first < 0 ? "none" : "token " + first);
            }
        }
    }
}

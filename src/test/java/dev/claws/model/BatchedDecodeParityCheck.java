package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.claws.model.tools.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Batched against single-sequence decoding on a real checkpoint (a command, not a unit test: it needs a model outside
 * the repository). Rows with WikiText-2 prompts of different lengths join and leave a {@link BatchKvCache} at different
 * steps; at every step each row's batched logits are compared with the logits of the same row decoded alone in its own
 * {@link InferenceSession}, and both must choose the same greedy token. Prints the max |logit difference| and exits
 * with status 1 when a greedy token differs or the difference exceeds {@code --tolerance} (default 1e-5).
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.claws.model.BatchedDecodeParityCheck -Dexec.args="--model /tmp/smollm2-hf"
 * </pre>
 */
public final class BatchedDecodeParityCheck {

    private record Plan(int promptLength, int join, int leave) {
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli = new CommandLine(args, Set.of());
        Path dir = Path.of(cli.require("model"));
        double tolerance = Double.parseDouble(cli.get("tolerance", "1e-5"));
        String corpus = Files.readString(Path.of(cli.get("corpus", "../shared/data/wikitext-2-raw/wiki.test.raw")));
        List<Plan> plans = List.of(new Plan(12, 0, 40), new Plan(37, 0, 15), new Plan(5, 6, 48), new Plan(80, 10, 30),
                new Plan(23, 20, 60), new Plan(3, 41, 70));
        try (DecoderModel m = DecoderModel.load(dir, EngineOptions.cpu(2));
             TextTokenizer tok = TextTokenizer.load(dir)) {
            long[] text = tok.encode(corpus.substring(0, 20_000), false);
            int v = m.config().vocabSize();
            double maxDiff = 0;
            int compared = 0;
            int mismatches = 0;
            List<InferenceSession> solo = new ArrayList<>();
            List<Plan> active = new ArrayList<>();
            List<Long> next = new ArrayList<>();
            int steps = plans.stream().mapToInt(Plan::leave).max().orElse(0);
            try (BatchKvCache cache = new BatchKvCache(m.manager(), m.config(), 8)) {
                for (int step = 0; step < steps; step++) {
                    for (int i = active.size() - 1; i >= 0; i--) {
                        if (active.get(i).leave() == step) {
                            solo.get(i).close();
                            cache.remove(i);
                            int last = active.size() - 1;
                            active.set(i, active.get(last));
                            solo.set(i, solo.get(last));
                            next.set(i, next.get(last));
                            active.remove(last);
                            solo.remove(last);
                            next.remove(last);
                        }
                    }
                    for (int p = 0; p < plans.size(); p++) {
                        Plan plan = plans.get(p);
                        if (plan.join() == step) {
                            int needed = plan.promptLength() + plan.leave() - plan.join();
                            InferenceSession s = m.newSession(needed);
                            long[] prompt = Arrays.copyOfRange(text, 100 * p, 100 * p + plan.promptLength());
                            next.add(argmax(s.feedLast(prompt)));
                            cache.add(s.cache(), needed);
                            solo.add(s);
                            active.add(plan);
                        }
                    }
                    if (active.isEmpty()) {
                        continue;
                    }
                    long[] ids = next.stream().mapToLong(Long::longValue).toArray();
                    float[] batched;
                    try (NDManager s = m.manager().newSubManager()) {
                        NDArray logits = m.decodeStep(s, ids, cache);
                        batched = logits.toFloatArray();
                    }
                    for (int i = 0; i < active.size(); i++) {
                        float[] alone = solo.get(i).feedLast(new long[] {ids[i]});
                        float[] mine = Arrays.copyOfRange(batched, i * v, (i + 1) * v);
                        for (int j = 0; j < v; j++) {
                            maxDiff = Math.max(maxDiff, Math.abs(alone[j] - mine[j]));
                        }
                        if (argmax(alone) != argmax(mine)) {
                            mismatches++;
                        }
                        next.set(i, argmax(alone));
                        compared++;
                    }
                }
                solo.forEach(InferenceSession::close);
            }
            System.out.printf("%s: %d batched row-steps (%d rows joining and leaving), greedy tokens differing: %d, "
                    + "max |logit diff| vs single-sequence decoding %.3g (tolerance %.1g)%n", dir.getFileName(),
                    compared, plans.size(), mismatches, maxDiff, tolerance);
            if (mismatches > 0 || maxDiff > tolerance) {
                System.exit(1);
            }
        }
    }

    private static long argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}

package dev.claws.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claws.model.LanguageModel;
import dev.claws.model.ModelConfig;
import dev.claws.model.NonFiniteValuesException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.claws.model.ContinuationScore;

/**
 * The inference engine as evaluation sees it (semantics in {@link LanguageModelScorer}). Requests that share a context
 * are scored together so the context runs through the model once and its keys/values are reused.
 */
public final class EngineScorer implements LanguageModelScorer {

    static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private final LanguageModel model;
    private final int prefixTokenId;

    public EngineScorer(LanguageModel model) {
        this.model = model;
        this.prefixTokenId = prefixTokenId(model);
    }

    @Override
    public int[] encode(String text) {
        return toInts(model.tokenizer().encode(text, false));
    }

    @Override
    public LoglikelihoodResult score(int[] context, int[] continuation) {
        ContinuationScore s = model.model().score(toLongs(context), toLongs(continuation));
        return new LoglikelihoodResult(finiteScore(s, context.length), s.greedy());
    }

    @Override
    public List<LoglikelihoodResult> scoreAll(List<TokenizedRequest> requests) {
        Map<String, List<Integer>> byContext = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            byContext.computeIfAbsent(java.util.Arrays.toString(requests.get(i).context()), k -> new ArrayList<>())
                    .add(i);
        }
        LoglikelihoodResult[] out = new LoglikelihoodResult[requests.size()];
        for (List<Integer> group : byContext.values()) {
            long[] context = toLongs(requests.get(group.get(0)).context());
            List<long[]> continuations = group.stream().map(i -> toLongs(requests.get(i).continuation())).toList();
            List<ContinuationScore> scores = model.model().score(context, continuations);
            for (int k = 0; k < group.size(); k++) {
                out[group.get(k)] = new LoglikelihoodResult(finiteScore(scores.get(k), context.length),
                        scores.get(k).greedy());
            }
        }
        return List.of(out);
    }

    @Override
    public double[] tokenNlls(int[] tokens) {
        double[] logProbs = model.model().sequenceLogProbs(toLongs(tokens));
        for (int i = 0; i < logProbs.length; i++) {
            if (!Double.isFinite(logProbs[i])) {
                throw new NonFiniteValuesException("the model produced a non-finite log-probability (" + logProbs[i]
                        + ") for token " + (i + 1) + " of a " + tokens.length + "-token sequence (intrinsic evaluation)");
            }
            logProbs[i] = -logProbs[i];
        }
        return logProbs;
    }

    /**
     * The summed log-likelihood, refused when the model produced NaN or an infinity (log-softmax of finite logits is
     * always finite, so a non-finite value means the checkpoint overflows).
     */
    private static double finiteScore(ContinuationScore s, int contextTokens) {
        double[] lp = s.tokenLogProbs();
        for (int j = 0; j < lp.length; j++) {
            if (!Double.isFinite(lp[j])) {
                throw new NonFiniteValuesException("the model produced a non-finite log-probability (" + lp[j]
                        + ") scoring continuation token " + (j + 1) + " of " + lp.length + " after a "
                        + contextTokens + "-token context");
            }
        }
        return s.logLikelihood();
    }

    @Override
    public int eotTokenId() {
        return prefixTokenId;
    }

    @Override
    public int maxLength() {
        return model.model().config().maxPositionEmbeddings();
    }

    /**
     * The harness takes the tokenizer's BOS, else its EOS. Those roles live in tokenizer_config.json (Qwen2's config.json
     * names a bos_token_id its tokenizer does not use), so config.json is only the fallback when that file is absent.
     */
    private static int prefixTokenId(LanguageModel model) {
        Path file = model.model().directory().resolve(TOKENIZER_CONFIG);
        if (Files.isRegularFile(file)) {
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            for (String role : List.of("bos_token", "eos_token")) {
                String token = tokenText(root.get(role));
                if (token != null) {
                    long[] ids = model.tokenizer().encode(token, false);
                    if (ids.length != 1) {
                        throw new IllegalArgumentException(file + ": " + role + " '" + token
                                + "' is not a single token of tokenizer.json");
                    }
                    return Math.toIntExact(ids[0]);
                }
            }
        }
        ModelConfig config = model.model().config();
        if (config.bosTokenId() != null) {
            return config.bosTokenId();
        }
        if (!config.eosTokenIds().isEmpty()) {
            return config.eosTokenIds().get(0);
        }
        throw new IllegalArgumentException(model.model().directory()
                + ": no BOS or EOS token (tokenizer_config.json or config.json) to stand for an empty context");
    }

    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode text = node.isObject() ? node.get("content") : node;
        return text == null || !text.isTextual() || text.textValue().isEmpty() ? null : text.textValue();
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}

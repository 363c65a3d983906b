package dev.claws.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hand-checkable language model for tests. Tokens are maximal runs of optional whitespace followed by non-whitespace
 * ({@code "Answer:"}, {@code " yes"}, {@code "  Loosen"}), or a trailing whitespace run. Every token costs a whole number
 * of bits: {@code bits(token)} from the table, or {@code defaultBits}; a bigram entry {@code "prev|token"} overrides it.
 * So {@code log p = -bits * ln 2} and expected sums are integers times ln 2. A token is greedy when it costs the fewest
 * bits in the table at that position. Every call is recorded so tests can see exactly what the model was asked.
 */
final class WordTableScorer implements LanguageModelScorer {
    static final double LN2 = Math.log(2);
    private static final Pattern TOKEN = Pattern.compile("(?U)\\s*\\S+|\\s+");

    private final Map<String, Integer> bits = new HashMap<>();
    private final int defaultBits;
    private final int maxLength;
    private final List<String> vocabulary = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    final List<TokenizedRequest> scored = new ArrayList<>();

    WordTableScorer(int defaultBits, int maxLength) {
        this.defaultBits = defaultBits;
        this.maxLength = maxLength;
        id("<eot>");
    }

    /** Cost of {@code token} (unigram) or of {@code "prev|token"} (bigram). */
    WordTableScorer cost(String key, int tokenBits) {
        bits.put(key, tokenBits);
        return this;
    }

    int id(String token) {
        return ids.computeIfAbsent(token, t -> {
            vocabulary.add(t);
            return vocabulary.size() - 1;
        });
    }

    String token(int id) {
        return vocabulary.get(id);
    }

    List<String> tokens(int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add(token(id));
        }
        return out;
    }

    int bitsOf(int prev, int token) {
        Integer bigram = prev < 0 ? null : bits.get(token(prev) + "|" + token(token));
        return bigram != null ? bigram : bits.getOrDefault(token(token), defaultBits);
    }

    @Override
    public int[] encode(String text) {
        Matcher m = TOKEN.matcher(text);
        List<Integer> out = new ArrayList<>();
        while (m.find()) {
            out.add(id(m.group()));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public LoglikelihoodResult score(int[] context, int[] continuation) {
        if (context.length < 1 || continuation.length < 1 || context.length + continuation.length > maxLength + 1) {
            throw new IllegalArgumentException("precondition violated");
        }
        scored.add(new TokenizedRequest(context, continuation));
        int prev = context[context.length - 1];
        double ll = 0;
        boolean greedy = true;
        for (int token : continuation) {
            int cost = bitsOf(prev, token);
            ll -= cost * LN2;
            greedy &= cost <= cheapestAfter(prev);
            prev = token;
        }
        return new LoglikelihoodResult(ll, greedy);
    }

    private int cheapestAfter(int prev) {
        int best = defaultBits;
        for (int t = 0; t < vocabulary.size(); t++) {
            best = Math.min(best, bitsOf(prev, t));
        }
        return best;
    }

    @Override
    public double[] tokenNlls(int[] tokens) {
        if (tokens.length < 2 || tokens.length > maxLength) {
            throw new IllegalArgumentException("precondition violated");
        }
        double[] nll = new double[tokens.length - 1];
        for (int i = 1; i < tokens.length; i++) {
            nll[i - 1] = bitsOf(tokens[i - 1], tokens[i]) * LN2;
        }
        return nll;
    }

    @Override
    public int eotTokenId() {
        return 0;
    }

    @Override
    public int maxLength() {
        return maxLength;
    }
}

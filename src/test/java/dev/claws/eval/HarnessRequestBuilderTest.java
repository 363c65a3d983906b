package dev.claws.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HarnessRequestBuilderTest {
    private final WordTableScorer model = new WordTableScorer(4, 8);
    private final HarnessRequestBuilder builder = new HarnessRequestBuilder(model);

    private List<String> context(TokenizedRequest r) {
        return model.tokens(r.context());
    }

    private List<String> continuation(TokenizedRequest r) {
        return model.tokens(r.continuation());
    }

    @Test
    void splitsContextAndContinuationByTokenizingWholeAndContext() {
        TokenizedRequest r = builder.tokenize(new LoglikelihoodRequest("Question: Is it?\nAnswer:", " yes"));
        assertEquals(List.of("Question:", " Is", " it?", "\nAnswer:"), context(r));
        assertEquals(List.of(" yes"), continuation(r));
    }

    @Test
    void movesTrailingWhitespaceOfContextToContinuation() {
        TokenizedRequest r = builder.tokenize(new LoglikelihoodRequest("Answer: ", "yes"));
        assertEquals(List.of("Answer:"), context(r));
        assertEquals(List.of(" yes"), continuation(r));

        TokenizedRequest multi = builder.tokenize(new LoglikelihoodRequest("Answer:\n ", "yes"));
        assertEquals(List.of("Answer:"), context(multi));
        assertEquals(List.of("\n yes"), continuation(multi));

        // Python's str.rstrip also strips a no-break space; Java's String.strip would not
        TokenizedRequest nbsp = builder.tokenize(new LoglikelihoodRequest("Answer:\u00A0", "yes"));
        assertEquals(List.of("Answer:"), context(nbsp));
        assertEquals(List.of("\u00A0yes"), continuation(nbsp));
    }

    @Test
    void keepsContextTokensWhenAMergeCrossesTheBoundary() {
        // whole "abc d" -> ["abc", " d"], context "ab" -> ["ab"]: the continuation is whole[1:] = [" d"]
        TokenizedRequest r = builder.tokenize(new LoglikelihoodRequest("ab", "c d"));
        assertEquals(List.of("ab"), context(r));
        assertEquals(List.of(" d"), continuation(r));
    }

    /** Every code point Python's str.isspace accepts (what str.rstrip removes). */
    static final String PYTHON_WHITESPACE = "\t\n\u000B\f\r\u001C\u001D\u001E\u001F \u0085\u00A0\u1680"
            + "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";

    @Test
    void aContextMadeOnlyOfWhitespaceIsTheEmptyContextWithTheWhitespaceOnTheContinuation() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        List<String> contexts = new java.util.ArrayList<>(List.of(" ", "\n\n\n\n\n", "\t", "   "));
        PYTHON_WHITESPACE.codePoints().forEach(cp -> contexts.add(Character.toString(cp)));
        for (int i = 0; i < 40; i++) {
            StringBuilder ws = new StringBuilder();
            for (int n = 1 + random.nextInt(6); n > 0; n--) {
                ws.append(PYTHON_WHITESPACE.charAt(random.nextInt(PYTHON_WHITESPACE.length())));
            }
            contexts.add(ws.toString());
        }
        for (String ws : contexts) {
            assertTrue(PythonText.rstrip(ws).isEmpty(), "not whitespace: " + ws.codePoints().boxed().toList());
            for (String continuation : List.of("Hello", " yes", "<eot> hi")) {
                assertEquals(builder.tokenize(new LoglikelihoodRequest("", ws + continuation)),
                        builder.tokenize(new LoglikelihoodRequest(ws, continuation)),
                        "context " + ws.codePoints().boxed().toList() + ", continuation " + continuation);
            }
        }
        TokenizedRequest space = builder.tokenize(new LoglikelihoodRequest(" ", "Hello"));
        assertEquals(List.of("<eot>"), context(space));
    }

    @Test
    void emptyContextBecomesThePrefixToken() {
        TokenizedRequest r = builder.tokenize(new LoglikelihoodRequest("", "hello world"));
        assertEquals(List.of("<eot>"), context(r));
        assertEquals(List.of("hello", " world"), continuation(r));

        TokenizedRequest startsWithEot = builder.tokenize(new LoglikelihoodRequest("", "<eot> hi"));
        assertEquals(List.of("<eot>"), context(startsWithEot));
        assertEquals(List.of(" hi"), continuation(startsWithEot));
    }

    @Test
    void truncatesTheContextFromTheLeftToMaxLengthPlusOne() {
        TokenizedRequest r = new TokenizedRequest(new int[] {1, 2, 3, 4, 5, 6}, new int[] {7, 8});
        TokenizedRequest cut = HarnessRequestBuilder.truncate(r, 4);
        assertEquals(List.of(4, 5, 6), box(cut.context()));
        assertEquals(List.of(7, 8), box(cut.continuation()));

        TokenizedRequest fits = new TokenizedRequest(new int[] {1, 2, 3}, new int[] {4, 5});
        assertSame(fits, HarnessRequestBuilder.truncate(fits, 4));

        TokenizedRequest longest = HarnessRequestBuilder.truncate(new TokenizedRequest(new int[] {1, 2}, new int[] {3, 4, 5, 6}), 4);
        assertEquals(List.of(2), box(longest.context()));
    }

    @Test
    void rejectsContinuationsTheHarnessWouldReject() {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> HarnessRequestBuilder.truncate(new TokenizedRequest(new int[] {1}, new int[] {1, 2, 3, 4, 5}), 4));
        assertTrue(tooLong.getMessage().contains("continuation"));
        assertThrows(IllegalArgumentException.class, () -> builder.build(new LoglikelihoodRequest("same", "")));
    }

    @Test
    void buildTruncatesToTheModelsMaxLength() {
        TokenizedRequest r = builder.build(new LoglikelihoodRequest("a b c d e f g h i j", " k l"));
        assertEquals(List.of(" d", " e", " f", " g", " h", " i", " j"), context(r));
        assertEquals(List.of(" k", " l"), continuation(r));
        assertEquals(9, r.length());
    }

    private static List<Integer> box(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}

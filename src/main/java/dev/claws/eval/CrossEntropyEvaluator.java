package dev.claws.eval;

import java.util.Arrays;
import java.util.List;

/**
 * Intrinsic evaluation as the reference perplexity code does it ({@code prepare_test_dataloader} + {@code evaluate_ppl}):
 * the records are joined with {@code "\n\n"} and tokenized once; the tokens are cut into non-overlapping windows of
 * {@code windowLength} tokens from the start (the remainder is dropped); each window's loss is the mean NLL of its
 * tokens 1..L-1 given their prefixes; the corpus loss is the mean of the window losses and perplexity its exponential.
 *
 * <p>Differences kept on purpose: no BOS is prepended (the reference tokenizer call would add one for tokenizers with a
 * BOS post-processor, not for Qwen2), and no target is ignored as padding (the reference ignores the pad = EOS token
 * as a target, which plain corpus text does not contain).
 */
public final class CrossEntropyEvaluator {
    public static final String RECORD_SEPARATOR = "\n\n";

    private final LanguageModelScorer model;
    private final int windowLength;
    private final long maxTokens;

    /**
     * @param windowLength tokens per window, in [2, model.maxLength()]
     * @param maxTokens budget of corpus tokens to use, at most {@code maxTokens / windowLength} windows; 0 or less means
     *     the whole corpus
     */
    public CrossEntropyEvaluator(LanguageModelScorer model, int windowLength, long maxTokens) {
        if (windowLength < 2 || windowLength > model.maxLength()) {
            throw new IllegalArgumentException(
                    "window_length: must be in [2, " + model.maxLength() + "], got " + windowLength);
        }
        if (maxTokens > 0 && maxTokens < windowLength) {
            throw new IllegalArgumentException(
                    "max_tokens: must be 0 (whole corpus) or at least window_length " + windowLength + ", got " + maxTokens);
        }
        this.model = model;
        this.windowLength = windowLength;
        this.maxTokens = maxTokens;
    }

    public CrossEntropyResult evaluate(List<String> records, EvalProgress progress) {
        return evaluateTokens(model.encode(String.join(RECORD_SEPARATOR, records)), progress);
    }

    public CrossEntropyResult evaluateTokens(int[] tokens, EvalProgress progress) {
        long available = tokens.length / windowLength;
        long budget = maxTokens > 0 ? maxTokens / windowLength : available;
        int windows = (int) Math.min(available, budget);
        if (windows < 1) {
            throw new IllegalArgumentException("corpus: " + tokens.length + " tokens, fewer than one window of "
                    + windowLength);
        }
        double[] windowMeans = new double[windows];
        for (int w = 0; w < windows; w++) {
            int[] window = Arrays.copyOfRange(tokens, w * windowLength, (w + 1) * windowLength);
            double[] nlls = model.tokenNlls(window);
            if (nlls.length != windowLength - 1) {
                throw new IllegalStateException("model returned " + nlls.length + " NLLs for a window of " + windowLength);
            }
            windowMeans[w] = Metrics.mean(nlls);
            progress.update(w + 1, windows);
        }
        double meanNll = Metrics.mean(windowMeans);
        return new CrossEntropyResult(windows, windowLength, tokens.length, (long) windows * (windowLength - 1), meanNll,
                Math.exp(meanNll), Metrics.meanStderr(windowMeans), windowMeans);
    }
}

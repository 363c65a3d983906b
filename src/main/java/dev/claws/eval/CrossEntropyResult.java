package dev.claws.eval;

/**
 * Test cross-entropy of a corpus: {@code meanNll} is the mean over windows of each window's mean token NLL (nats),
 * {@code perplexity = exp(meanNll)}, {@code stderr} the standard error of the mean over windows.
 */
public record CrossEntropyResult(
        int windows, int windowLength, long corpusTokens, long scoredTokens, double meanNll, double perplexity, double stderr,
        double[] windowMeanNlls) {
    public CrossEntropyResult {
        windowMeanNlls = windowMeanNlls.clone();
    }

    @Override
    public double[] windowMeanNlls() {
        return windowMeanNlls.clone();
    }
}

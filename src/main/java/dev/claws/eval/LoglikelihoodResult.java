package dev.claws.eval;

/** Summed log-likelihood of a continuation and whether greedy decoding would have produced it. */
public record LoglikelihoodResult(double logLikelihood, boolean greedy) {
}

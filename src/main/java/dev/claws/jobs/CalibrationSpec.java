package dev.claws.jobs;

import dev.claws.eval.Corpus;

/**
 * Calibration data of a SliceGPT compression: {@code samples} non-overlapping sequences of {@code sequenceLength}
 * tokens of a corpus (records joined with a blank line, tokenized with the base model's tokenizer), chosen in an order
 * shuffled by the job's seed.
 */
public record CalibrationSpec(Corpus corpus, int samples, int sequenceLength) {
}

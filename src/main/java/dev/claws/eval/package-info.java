/**
 * Evaluation: intrinsic cross-entropy (and perplexity) of a model on text corpora in windows, and extrinsic zero-shot
 * multiple choice (PIQA, HellaSwag, WinoGrande, ARC, BoolQ) scored as lm-evaluation-harness does (acc, acc_norm).
 *
 * <p>May import: model, model.io. Never compress, train or the layers above.
 */
package dev.claws.eval;

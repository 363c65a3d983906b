/**
 * Command-line tools of the training layer (not part of the server): Recover (LoRA recovery fine-tuning with
 * before/after cross-entropy) and the LoRA training benchmark.
 *
 * <p>May import: any server package; no server package imports the tools.
 */
package dev.claws.train.tools;

/**
 * Structured pruning that writes a new checkpoint directory: calibration-free RandomPruneNet (FFN neurons, optionally
 * key/value groups) and calibration-based SliceGPT (norm fusion, PCA rotation, slicing, shortcut matrices), streamed
 * tensor by tensor through {@link dev.claws.compress.Compressor}.
 *
 * <p>May import: model, model.io. Never eval, train or the layers above.
 */
package dev.claws.compress;

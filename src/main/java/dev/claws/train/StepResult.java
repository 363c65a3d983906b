package dev.claws.train;

/**
 * One optimizer step.
 *
 * @param step         index from 0
 * @param loss         mean next-token cross-entropy (nats) over the step's predicted tokens, before the update
 * @param gradNorm     global L2 norm of the adapter gradients before clipping
 * @param learningRate learning rate the update used
 * @param tokens       tokens the step consumed (sequences x sequence length)
 */
public record StepResult(int step, double loss, double gradNorm, double learningRate, long tokens) {
}

package dev.claws.train;

/**
 * One optimizer step.
 *
 * @param step         index from 0
 * @param loss         mean next-token cross-entropy (nats) over the step's predicted tokens, before the update
 * @param gradNorm     global L2 norm of the adapter gradients before clipping
 * @param learningRate learning rate the update used
 * @param tokens       tokens the step consumed (sequences x sequence length)
 * @param seconds      wall time of the step's phases
 */
public record StepResult(int step, double loss, double gradNorm, double learningRate, long tokens, Phases seconds) {

    /**
     * Wall seconds of a step by phase, summed over its passes.
     *
     * @param forward  decoder stack to the final-norm hidden states (recording the autograd graph)
     * @param head     LM head, cross-entropy and their backward to the hidden states, a chunk of positions at a time
     * @param backward backward through the decoder stack into the adapters
     * @param update   gradient norm, clipping and the AdamW update
     */
    public record Phases(double forward, double head, double backward, double update) {

        public double total() {
            return forward + head + backward + update;
        }
    }
}

package dev.claws.train;

/**
 * What a recovery fine-tuning run does.
 *
 * @param data        training data set
 * @param tokenBudget D requested: training tokens to consume; rounded down to whole optimizer steps (at least one)
 * @param lora        adapter settings
 * @param training    optimisation settings; its warm-up is used as given
 * @param seed        data order, adapter initialisation and dropout masks
 */
public record RecoverySpec(TrainingData data, long tokenBudget, LoraConfig lora, TrainingConfig training, long seed) {

    public RecoverySpec {
        if (tokenBudget < training.tokensPerStep()) {
            throw new IllegalArgumentException("token budget must be >= tokens per step (" + training.tokensPerStep()
                    + "), got " + tokenBudget);
        }
    }

    /** Optimizer steps the budget pays for. */
    public int steps() {
        return (int) (tokenBudget / training.tokensPerStep());
    }

    /** D as consumed: steps x tokens per step. */
    public long tokens() {
        return (long) steps() * training.tokensPerStep();
    }
}

package dev.claws.train;

/**
 * Optimisation settings of a LoRA run (float32 throughout).
 *
 * @param sequenceLength  tokens per packed sequence (the model predicts sequenceLength - 1 of them)
 * @param microBatchRows  sequences per forward/backward pass
 * @param tokensPerStep   tokens per optimizer step: a multiple of sequenceLength * microBatchRows; the quotient is
 *                        the number of gradient-accumulation passes
 * @param learningRate    peak learning rate
 * @param weightDecay     AdamW decoupled weight decay
 * @param beta1           AdamW beta1
 * @param beta2           AdamW beta2
 * @param eps             AdamW epsilon
 * @param warmupSteps     optimizer steps of linear warm-up
 * @param decay           decay after warm-up (to 0 at the last step)
 * @param maxGradNorm     clip the global L2 norm of all adapter gradients to this (0 = no clipping)
 */
public record TrainingConfig(int sequenceLength, int microBatchRows, int tokensPerStep, double learningRate,
                             double weightDecay, double beta1, double beta2, double eps, int warmupSteps,
                             LrSchedule.Decay decay, double maxGradNorm) {

    /** 256-token sequences, 4 per pass, 2048 tokens per step, lr 2e-4, no decay of weights, clip at 1. */
    public static TrainingConfig defaults() {
        return new TrainingConfig(256, 4, 2048, 2e-4, 0.0, 0.9, 0.999, 1e-8, 0, LrSchedule.Decay.LINEAR, 1.0);
    }

    public TrainingConfig {
        if (sequenceLength < 2) {
            throw new IllegalArgumentException("sequence length must be >= 2, got " + sequenceLength);
        }
        if (microBatchRows < 1) {
            throw new IllegalArgumentException("micro-batch rows must be >= 1, got " + microBatchRows);
        }
        long pass = (long) sequenceLength * microBatchRows;
        if (tokensPerStep < pass || tokensPerStep % pass != 0) {
            throw new IllegalArgumentException("tokens per step must be a positive multiple of sequence length x "
                    + "micro-batch rows = " + pass + ", got " + tokensPerStep);
        }
        if (!(learningRate > 0) || !(weightDecay >= 0) || !(maxGradNorm >= 0) || warmupSteps < 0) {
            throw new IllegalArgumentException("learning rate must be > 0; weight decay, max grad norm and warm-up "
                    + "steps >= 0");
        }
    }

    /** Forward/backward passes per optimizer step. */
    public int accumulation() {
        return tokensPerStep / (sequenceLength * microBatchRows);
    }

    /** Sequences per optimizer step. */
    public int sequencesPerStep() {
        return tokensPerStep / sequenceLength;
    }

    public TrainingConfig withWarmup(int steps) {
        return new TrainingConfig(sequenceLength, microBatchRows, tokensPerStep, learningRate, weightDecay, beta1,
                beta2, eps, steps, decay, maxGradNorm);
    }
}

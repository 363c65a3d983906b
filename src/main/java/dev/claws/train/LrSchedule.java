package dev.claws.train;

/**
 * Learning-rate multiplier per optimizer step: linear warm-up from 0 over {@code warmupSteps}, then linear or cosine
 * (half a cycle) decay to 0 at {@code totalSteps}; the formulas of transformers' get_linear_schedule_with_warmup and
 * get_cosine_schedule_with_warmup (step k uses the multiplier of k, counted from 0).
 */
public record LrSchedule(Decay decay, int warmupSteps, int totalSteps) {

    public enum Decay { LINEAR, COSINE }

    public LrSchedule {
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("warmup steps must be >= 0 and total steps >= 1, got "
                    + warmupSteps + ", " + totalSteps);
        }
    }

    public double multiplier(int step) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        if (decay == Decay.LINEAR) {
            return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
    }
}

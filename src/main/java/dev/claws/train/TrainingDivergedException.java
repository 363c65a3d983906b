package dev.claws.train;

import dev.claws.model.NonFiniteValuesException;

/**
 * A LoRA training step produced NaN or an infinity (its loss, a gradient, or the updated adapter weights). Training
 * stops there with the adapters left at their last finite values, so no NaN adapter or merged checkpoint is written;
 * the message names the step, the phase and, for a gradient, the first adapter with non-finite values. A job fails
 * with this message; a synchronous caller gets INTERNAL (as every {@link NonFiniteValuesException}).
 */
public final class TrainingDivergedException extends NonFiniteValuesException {

    public TrainingDivergedException(String message) {
        super(message);
    }
}

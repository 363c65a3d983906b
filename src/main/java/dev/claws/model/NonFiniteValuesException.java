package dev.claws.model;

/**
 * A model produced NaN or an infinity where a finite value is required (logits before sampling, log-probabilities
 * before scoring or evaluation). Not the caller's fault: the checkpoint itself overflows. The message names the step.
 */
public class NonFiniteValuesException extends IllegalStateException {

    public NonFiniteValuesException(String message) {
        super(message);
    }
}

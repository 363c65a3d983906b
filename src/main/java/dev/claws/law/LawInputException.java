package dev.claws.law;

/**
 * Input to the law layer that cannot give a meaningful answer: an out-of-range value, too few points, or a design whose
 * coefficients are not identifiable. The message names the field (or point index) and the allowed range, so the api layer
 * can pass it on unchanged as INVALID_ARGUMENT.
 */
public final class LawInputException extends IllegalArgumentException {

    public LawInputException(String message) {
        super(message);
    }
}

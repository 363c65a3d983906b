package dev.claws.law;

/**
 * Which terms of {@code log L = alpha log L0 + beta log(1+r) + gamma log(1 + 1/(D+1))} are estimated.
 */
public enum FitForm {
    /** alpha, beta and gamma. */
    FULL(true),
    /**
     * alpha and beta; gamma fixed at 0. The form of the published extrinsic law {@code L = L0^0.98 (1+r)^-1.03}, and the
     * one to use for points without RFT from a single base model: there both log L0 and log(1 + 1/(0+1)) = log 2 are
     * constant columns, so alpha and gamma cannot be told apart.
     */
    WITHOUT_RFT(false);

    private final boolean rftTerm;

    FitForm(boolean rftTerm) {
        this.rftTerm = rftTerm;
    }

    /** Whether gamma is estimated. */
    public boolean hasRftTerm() {
        return rftTerm;
    }

    /** Number of estimated coefficients. */
    public int parameterCount() {
        return rftTerm ? 3 : 2;
    }
}

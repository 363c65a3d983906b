package dev.claws.law;

/**
 * The critical compression ratio: the largest r at which the law still keeps the compressed model within a threshold
 * sigma of its base, {@code r* = (sigma / g)^(1/beta) - 1} with {@code g = (1 + 1/(D+1))^gamma}.
 *
 * <p>Derivation. Write the law as {@code L / L0^alpha = (1+r)^beta * g}. With unlimited RFT (D -> infinity) g -> 1 and
 * {@code r* = sigma^(1/beta) - 1}, the ratio beyond which even unlimited RFT cannot keep performance on the good side of
 * the threshold.
 * <ul>
 *   <li>Extrinsic (accuracy falls with r, beta < 0), sigma in (0, 1): {@code (1+r)^beta * g >= sigma} holds exactly for
 *       {@code r <= r*}; sigma = 0.8 asks for at least 80% of (the alpha-scaled) base accuracy.</li>
 *   <li>Intrinsic (loss grows with r, beta > 0), sigma > 1: {@code (1+r)^beta * g <= sigma} holds exactly for
 *       {@code r <= r*}; sigma = 1.2 allows at most 20% more loss.</li>
 * </ul>
 * With alpha near 1, {@code L / L0^alpha} is close to the retained fraction L / L0.
 *
 * <p>Outcomes: r* in (0, 1) is a usable ratio; r* >= 1 means no ratio in [0, 1) crosses the threshold; r* <= 0 (possible
 * only with finite D) means even r = 0 with that much RFT does not meet it. With D -> infinity the 95% interval of r*
 * follows from beta's interval, because r* is a monotone function of beta alone; it is given when that interval
 * excludes 0.
 *
 * @param sigma             the threshold
 * @param rftSize           D, or +infinity for unlimited RFT
 * @param ratio             r*; may exceed 1 (or be +infinity for beta near 0) when the threshold is never crossed
 * @param outcome           where r* falls relative to [0, 1)
 * @param intervalAvailable whether lower95/upper95 hold an interval (D -> infinity and beta's interval excludes 0)
 * @param lower95           lower end of r*'s 95% interval from beta's interval, 0 when unavailable
 * @param upper95           upper end, 0 when unavailable
 * @param meaning           one sentence saying what the number means
 */
public record CriticalRatio(double sigma, double rftSize, double beta, double ratio, Outcome outcome,
                            boolean intervalAvailable, double lower95, double upper95, String meaning) {

    public enum Outcome {
        /** 0 < r* < 1: compress at most to r*. */
        WITHIN_RANGE,
        /** r* >= 1: no ratio in [0, 1) crosses the threshold. */
        NEVER_CROSSED,
        /** r* <= 0: even the uncompressed model with this D does not meet the threshold. */
        ALWAYS_CROSSED
    }

    /** Critical ratio with unlimited RFT (D -> infinity): {@code sigma^(1/beta) - 1}. */
    public static CriticalRatio of(FittedLaw fit, double sigma) {
        return of(fit, sigma, Double.POSITIVE_INFINITY);
    }

    /** Critical ratio with RFT size D (pass +infinity for unlimited RFT). */
    public static CriticalRatio of(FittedLaw fit, double sigma, double rftSize) {
        if (fit == null) {
            throw new LawInputException("fit is missing");
        }
        double beta = fit.beta().estimate();
        if (beta == 0 || !Double.isFinite(beta)) {
            throw new LawInputException("the fit's beta = " + LawChecks.fmt(beta)
                    + " must be finite and non-zero for a critical ratio");
        }
        if (!(rftSize >= 0)) {
            throw new LawInputException("rft_size (D) = " + LawChecks.fmt(rftSize)
                    + " is outside the allowed range: >= 0, or +infinity for unlimited RFT");
        }
        if (beta < 0 && !(sigma > 0 && sigma < 1)) {
            throw new LawInputException("sigma = " + LawChecks.fmt(sigma) + " is outside the allowed range (0, 1):"
                    + " the fit's beta = " + LawChecks.fmt(beta) + " < 0 (metric falls with r, e.g. accuracy), so"
                    + " sigma is the fraction of L0^alpha to keep");
        }
        if (beta > 0 && !(sigma > 1 && Double.isFinite(sigma))) {
            throw new LawInputException("sigma = " + LawChecks.fmt(sigma) + " is outside the allowed range (1, inf):"
                    + " the fit's beta = " + LawChecks.fmt(beta) + " > 0 (metric grows with r, e.g. loss), so"
                    + " sigma is the largest allowed multiple of L0^alpha");
        }
        boolean unlimited = rftSize == Double.POSITIVE_INFINITY;
        double logRftFactor = unlimited ? 0 : fit.gamma().estimate() * Math.log1p(1 / (rftSize + 1));
        double ratio = criticalRatio(Math.log(sigma) - logRftFactor, beta);
        Outcome outcome = ratio >= 1 ? Outcome.NEVER_CROSSED : ratio <= 0 ? Outcome.ALWAYS_CROSSED : Outcome.WITHIN_RANGE;

        CoefficientEstimate b = fit.beta();
        boolean interval = unlimited && b.estimated() && (b.lower95() > 0 || b.upper95() < 0);
        double lower = 0;
        double upper = 0;
        if (interval) {
            double r1 = criticalRatio(Math.log(sigma), b.lower95());
            double r2 = criticalRatio(Math.log(sigma), b.upper95());
            lower = Math.min(r1, r2);
            upper = Math.max(r1, r2);
        }
        return new CriticalRatio(sigma, rftSize, beta, ratio, outcome, interval, lower, upper,
                meaning(sigma, rftSize, beta, ratio, outcome));
    }

    /** {@code exp(logThreshold / beta) - 1}, computed with expm1 for accuracy at small r*. */
    static double criticalRatio(double logThreshold, double beta) {
        return Math.expm1(logThreshold / beta);
    }

    private static String meaning(double sigma, double rftSize, double beta, double ratio, Outcome outcome) {
        String rft = rftSize == Double.POSITIVE_INFINITY ? "even unlimited RFT" : "RFT of size D = " + LawChecks.fmt(rftSize);
        String keep = beta < 0
                ? "L / L0^alpha >= " + LawChecks.fmt(sigma)
                : "L / L0^alpha <= " + LawChecks.fmt(sigma);
        return switch (outcome) {
            case WITHIN_RANGE -> "beyond r = " + LawChecks.fmt(ratio) + " " + rft + " cannot keep " + keep;
            case NEVER_CROSSED -> "no ratio in [0, 1) violates " + keep + " with " + rft
                    + " (r* = " + LawChecks.fmt(ratio) + " >= 1)";
            case ALWAYS_CROSSED -> "even r = 0 with " + rft + " does not keep " + keep
                    + " (r* = " + LawChecks.fmt(ratio) + " <= 0)";
        };
    }
}

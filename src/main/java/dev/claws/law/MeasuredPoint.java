package dev.claws.law;

/**
 * One measurement for the compression law {@code L = L0^alpha (1+r)^beta (1 + 1/(D+1))^gamma}.
 *
 * @param metric     L, the compressed model's metric: test cross-entropy (intrinsic) or zero-shot accuracy (extrinsic); > 0
 * @param baseMetric L0, the same metric for the uncompressed base model; > 0
 * @param ratio      r, the compression ratio (fraction of parameters removed); in [0, 1)
 * @param rftSize    D, the recovery fine-tuning size (0 = no RFT; the reference suggests millions of tokens); >= 0
 */
public record MeasuredPoint(double metric, double baseMetric, double ratio, double rftSize) {

    public MeasuredPoint {
        check("", metric, baseMetric, ratio, rftSize);
    }

    /** Builds the point at position {@code index} of a list; a failure message names {@code points[index].field}. */
    public static MeasuredPoint at(int index, double metric, double baseMetric, double ratio, double rftSize) {
        check("points[" + index + "].", metric, baseMetric, ratio, rftSize);
        return new MeasuredPoint(metric, baseMetric, ratio, rftSize);
    }

    private static void check(String prefix, double metric, double baseMetric, double ratio, double rftSize) {
        LawChecks.positive(prefix + "metric (L)", metric);
        LawChecks.positive(prefix + "base_metric (L0)", baseMetric);
        LawChecks.ratio(prefix + "ratio (r)", ratio);
        LawChecks.rftSize(prefix + "rft_size (D)", rftSize);
    }
}

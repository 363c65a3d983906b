package dev.claws.law;

import java.util.List;

/**
 * The law fitted to one setting of a study: intrinsic or extrinsic, one method, without or with RFT.
 *
 * @param intrinsic            loss (cross-entropy) or accuracy
 * @param method               compression method id
 * @param withRft              false: points with D = 0, form WITHOUT_RFT; true: every D of the method, form FULL
 * @param metric               the metric fitted
 * @param fit                  the fit; null when it could not be made (see error)
 * @param error                why there is no fit; null when there is one
 * @param labels               one label per point ("variant/task")
 * @param dropped              cells left out because L or L0 is not > 0 (e.g. an accuracy of 0 on a small sample),
 *                             with the reason
 * @param heldOut              one check per distinct non-zero ratio
 * @param heldOutMeanAbsRelativeError mean of the checks' mean errors; null when none succeeded
 * @param sigma                the critical-ratio threshold used
 * @param critical             critical ratio with unlimited RFT; null when not defined (see criticalError)
 * @param criticalError        why there is no critical ratio; null when there is one
 * @param lawFitId             the stored law_fit row; null until stored
 */
public record SettingFit(boolean intrinsic, String method, boolean withRft, String metric, FittedLaw fit, String error,
                         List<String> labels, List<String> dropped, List<HeldOutCheck> heldOut,
                         Double heldOutMeanAbsRelativeError,
                         double sigma, CriticalRatio critical, String criticalError, Long lawFitId) {

    public SettingFit {
        labels = labels == null ? List.of() : List.copyOf(labels);
        dropped = dropped == null ? List.of() : List.copyOf(dropped);
        heldOut = heldOut == null ? List.of() : List.copyOf(heldOut);
    }

    public SettingFit withLawFitId(long id) {
        return new SettingFit(intrinsic, method, withRft, metric, fit, error, labels, dropped, heldOut,
                heldOutMeanAbsRelativeError, sigma, critical, criticalError, id);
    }

    /** e.g. "intrinsic / random_prune / without RFT". */
    public String label() {
        return (intrinsic ? "intrinsic" : "extrinsic") + " / " + method + " / " + (withRft ? "with RFT" : "without RFT");
    }
}

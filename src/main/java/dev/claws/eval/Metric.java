package dev.claws.eval;

/** Metrics reported for multiple-choice tasks, named as lm-evaluation-harness names them. */
public enum Metric {
    /** argmax of summed log-likelihood equals the gold index. */
    ACC("acc"),
    /** argmax of log-likelihood divided by the choice string's length in characters equals the gold index. */
    ACC_NORM("acc_norm");

    private final String harnessName;

    Metric(String harnessName) {
        this.harnessName = harnessName;
    }

    public String harnessName() {
        return harnessName;
    }
}

package dev.claws.law;

import java.util.Locale;

/** Range checks shared by points, predictions and critical ratios; each failure names the field and its allowed range. */
final class LawChecks {

    private LawChecks() {
    }

    /** L and L0: the law takes their logarithm, so they must be finite and strictly positive. */
    static double positive(String field, double value) {
        if (!Double.isFinite(value) || value <= 0) {
            throw new LawInputException(field + " = " + fmt(value) + " is outside the allowed range: finite and > 0");
        }
        return value;
    }

    /** r: the fraction of parameters removed, 0 (uncompressed) up to but excluding 1 (everything removed). */
    static double ratio(String field, double value) {
        if (!Double.isFinite(value) || value < 0 || value >= 1) {
            throw new LawInputException(field + " = " + fmt(value) + " is outside the allowed range [0, 1)");
        }
        return value;
    }

    /** D: recovery fine-tuning size, 0 meaning no RFT. */
    static double rftSize(String field, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new LawInputException(field + " = " + fmt(value) + " is outside the allowed range: finite and >= 0");
        }
        return value;
    }

    static String fmt(double value) {
        return String.format(Locale.ROOT, "%.6g", value);
    }
}

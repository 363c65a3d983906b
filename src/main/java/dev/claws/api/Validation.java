package dev.claws.api;

import java.util.regex.Pattern;

/** Input checks shared by the services; each failure names the field and what it accepts. */
final class Validation {

    /** Variant names: safe as a directory name and in URLs. */
    private static final Pattern VARIANT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    static final int DEFAULT_LIST_LIMIT = 100;
    static final int MAX_LIST_LIMIT = 1000;

    private Validation() {
    }

    static String variantName(String field, String value) {
        if (value.isEmpty()) {
            throw ErrorStatus.invalid(field, field + " is required: a variant name of 1 to 128 characters from [A-Za-z0-9._-]");
        }
        if (!VARIANT_NAME.matcher(value).matches()) {
            throw ErrorStatus.invalid(field, field + " must be 1 to 128 characters from [A-Za-z0-9._-], starting with a letter or digit");
        }
        return value;
    }

    static long positiveId(String field, long value) {
        if (value <= 0) {
            throw ErrorStatus.invalid(field + " must be a positive id, got " + value);
        }
        return value;
    }

    static int listLimit(String field, int value) {
        if (value == 0) {
            return DEFAULT_LIST_LIMIT;
        }
        if (value < 0 || value > MAX_LIST_LIMIT) {
            throw ErrorStatus.invalid(field + " must be between 1 and " + MAX_LIST_LIMIT + " (0 = " + DEFAULT_LIST_LIMIT
                    + "), got " + Integer.toUnsignedString(value));
        }
        return value;
    }
}

package dev.claws.eval;

import java.util.Locale;

/**
 * The few Python {@code str} operations the harness prompt code relies on, with Python's exact semantics
 * (Java's {@code strip()} and {@code length()} differ on no-break spaces and on characters outside the BMP).
 */
public final class PythonText {
    private PythonText() {
    }

    /** Python {@code str.isspace} for one code point: Unicode White_Space-like set used by {@code str.strip()}. */
    public static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }

    public static String strip(String s) {
        return lstrip(rstrip(s));
    }

    public static String rstrip(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    public static String lstrip(String s) {
        int start = 0;
        while (start < s.length()) {
            int cp = s.codePointAt(start);
            if (!isSpace(cp)) {
                break;
            }
            start += Character.charCount(cp);
        }
        return s.substring(start);
    }

    /** Python {@code str.capitalize}: first character title-cased, the rest lower-cased. */
    public static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int n = Character.charCount(first);
        return new String(Character.toChars(Character.toTitleCase(first))) + s.substring(n).toLowerCase(Locale.ROOT);
    }

    /** Python {@code len(str)}: number of code points. */
    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}

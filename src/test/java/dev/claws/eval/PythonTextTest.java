package dev.claws.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PythonTextTest {

    @Test
    void stripFollowsPythonWhitespace() {
        assertEquals("a b", PythonText.strip(" \t\n\u00A0a b\u2003\u0085\r"));
        assertEquals("  a", PythonText.rstrip("  a \u00A0"));
        assertEquals("", PythonText.strip(" \n "));
    }

    @Test
    void capitalizeLowersTheRest() {
        assertEquals("Damp soil holds better", PythonText.capitalize("damp soil HOLDS Better"));
        assertEquals("", PythonText.capitalize(""));
        assertEquals(" he", PythonText.capitalize(" He"));
    }

    @Test
    void lengthCountsCodePoints() {
        assertEquals(5, PythonText.length("café!"));
        assertEquals(3, PythonText.length("a\uD83D\uDE00b"));
    }
}

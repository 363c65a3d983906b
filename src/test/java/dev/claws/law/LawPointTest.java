package dev.claws.law;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LawPointTest {

    @Test
    void acceptsTheDocumentedRanges() {
        MeasuredPoint p = MeasuredPoint.at(0, 2.5, 2.0, 0.0, 0.0);
        assertEquals(new MeasuredPoint(2.5, 2.0, 0.0, 0.0), p);
        assertEquals(0.999, new MeasuredPoint(0.3, 0.6, 0.999, 25).ratio());
    }

    @Test
    void indexedFactoryNamesPointAndRange() {
        assertEquals("points[2].ratio (r) = 1.00000 is outside the allowed range [0, 1)",
                assertThrows(LawInputException.class, () -> MeasuredPoint.at(2, 1, 1, 1.0, 0)).getMessage());
        assertEquals("points[0].metric (L) = -0.500000 is outside the allowed range: finite and > 0",
                assertThrows(LawInputException.class, () -> MeasuredPoint.at(0, -0.5, 1, 0.1, 0)).getMessage());
        assertEquals("points[7].base_metric (L0) = NaN is outside the allowed range: finite and > 0",
                assertThrows(LawInputException.class, () -> MeasuredPoint.at(7, 1, Double.NaN, 0.1, 0)).getMessage());
        assertEquals("points[1].rft_size (D) = -1.00000 is outside the allowed range: finite and >= 0",
                assertThrows(LawInputException.class, () -> MeasuredPoint.at(1, 1, 2, 0.1, -1)).getMessage());
    }

    @Test
    void constructorRejectsEveryOutOfRangeField() {
        assertThrows(LawInputException.class, () -> new MeasuredPoint(0, 1, 0.1, 0));
        assertThrows(LawInputException.class, () -> new MeasuredPoint(Double.POSITIVE_INFINITY, 1, 0.1, 0));
        assertThrows(LawInputException.class, () -> new MeasuredPoint(1, 0, 0.1, 0));
        assertThrows(LawInputException.class, () -> new MeasuredPoint(1, 1, -0.01, 0));
        assertThrows(LawInputException.class, () -> new MeasuredPoint(1, 1, Double.NaN, 0));
        assertThrows(LawInputException.class, () -> new MeasuredPoint(1, 1, 0.1, Double.POSITIVE_INFINITY));
        LawInputException e = assertThrows(LawInputException.class, () -> new MeasuredPoint(1, 1, 0.1, Double.NaN));
        assertEquals("rft_size (D) = NaN is outside the allowed range: finite and >= 0", e.getMessage());
    }
}

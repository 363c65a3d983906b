package dev.claws.law;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PointSelectionTest {

    private static Measurement m(long id, String variant, String base, String task, double value, double r, double d) {
        return new Measurement(id, variant, base, task, "acc", value, r, d);
    }

    @Test
    void pairsEachVariantWithItsBaseOnTheSameTask() {
        PointSelection.Result result = PointSelection.pair(List.of(
                m(1, "qwen", "qwen", "piqa", 0.70, 0, 0),
                m(2, "qwen", "qwen", "arc_easy", 0.60, 0, 0),
                m(3, "qwen-sg30", "qwen", "piqa", 0.61, 0.3, 0),
                m(4, "qwen-sg30", "qwen", "arc_easy", 0.50, 0.3, 0),
                m(5, "qwen-sg30-rft", "qwen", "piqa", 0.66, 0.3, 1e6)));
        assertEquals(List.of("qwen-sg30/piqa/acc", "qwen-sg30/arc_easy/acc", "qwen-sg30-rft/piqa/acc"),
                result.points().stream().map(PointSelection.LabeledPoint::label).toList());
        assertEquals(new MeasuredPoint(0.61, 0.70, 0.3, 0), result.points().get(0).point());
        assertEquals(new MeasuredPoint(0.50, 0.60, 0.3, 0), result.points().get(1).point());
        assertEquals(new MeasuredPoint(0.66, 0.70, 0.3, 1e6), result.points().get(2).point());
        assertTrue(result.withoutBase().isEmpty());
    }

    @Test
    void newestMeasurementWinsAndUnpairedRowsAreReported() {
        PointSelection.Result result = PointSelection.pair(List.of(
                m(7, "llama-rp50", "llama", "piqa", 0.55, 0.5, 0),
                m(1, "llama", "llama", "piqa", 0.72, 0, 0),
                m(9, "llama", "llama", "piqa", 0.74, 0, 0),
                m(3, "llama-rp50", "llama", "piqa", 0.40, 0.5, 0),
                m(4, "llama-rp50", "llama", "boolq", 0.58, 0.5, 0)));
        assertEquals(1, result.points().size());
        assertEquals(new MeasuredPoint(0.55, 0.74, 0.5, 0), result.points().get(0).point());
        assertEquals(List.of("llama-rp50/boolq/acc"), result.withoutBase());
    }

    @Test
    void anInvalidStoredValueIsNamedByItsLabel() {
        LawInputException e = assertThrows(LawInputException.class, () -> PointSelection.pair(List.of(
                m(1, "b", "b", "piqa", 0.7, 0, 0), m(2, "v", "b", "piqa", 0.0, 0.2, 0))));
        assertEquals("stored measurement v/piqa/acc (base b): points[0].metric (L) = 0.00000 is outside the allowed"
                + " range: finite and > 0", e.getMessage());
    }
}

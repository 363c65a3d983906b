package dev.claws.law;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns stored measurements into law points: each measurement of a derived variant becomes L, paired with its base
 * model's measurement on the same task and metric as L0. A variant measured several times on a task counts once, with
 * its newest measurement (re-evaluations replace, they do not add weight); the same holds for the base. Measurements
 * whose base was never measured on that task are skipped, and reported.
 */
public final class PointSelection {

    /** A point with the label "variant/task/metric" saying where it came from. */
    public record LabeledPoint(MeasuredPoint point, String label) {
    }

    /** The points, in the order of their measurements' ids, and the labels of measurements left without a base. */
    public record Result(List<LabeledPoint> points, List<String> withoutBase) {
        public Result {
            points = List.copyOf(points);
            withoutBase = List.copyOf(withoutBase);
        }
    }

    private PointSelection() {
    }

    public static Result pair(List<Measurement> measurements) {
        Map<String, Measurement> newest = new LinkedHashMap<>();
        measurements.stream()
                .sorted(Comparator.comparingLong(Measurement::id))
                .forEach(m -> newest.put(key(m.variant(), m), m));
        List<LabeledPoint> points = new ArrayList<>();
        List<String> withoutBase = new ArrayList<>();
        newest.values().stream()
                .filter(m -> !m.isBase())
                .sorted(Comparator.comparingLong(Measurement::id))
                .forEach(m -> {
                    String label = m.variant() + "/" + m.task() + "/" + m.metric();
                    Measurement base = newest.get(key(m.baseModel(), m));
                    if (base == null) {
                        withoutBase.add(label);
                        return;
                    }
                    points.add(new LabeledPoint(point(points.size(), m, base, label), label));
                });
        return new Result(points, withoutBase);
    }

    private static MeasuredPoint point(int index, Measurement m, Measurement base, String label) {
        try {
            return MeasuredPoint.at(index, m.value(), base.value(), m.ratio(), m.rftTokens());
        } catch (LawInputException e) {
            throw new LawInputException("stored measurement " + label + " (base " + base.variant() + "): "
                    + e.getMessage());
        }
    }

    private static String key(String variant, Measurement m) {
        return variant + "\u0000" + m.task() + "\u0000" + m.metric();
    }
}

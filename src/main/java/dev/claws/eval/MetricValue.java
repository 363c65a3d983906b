package dev.claws.eval;

/** One aggregated metric of a task: mean over {@code samples} documents and the standard error of that mean. */
public record MetricValue(Metric metric, double value, double stderr, int samples) {
}

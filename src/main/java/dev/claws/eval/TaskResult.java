package dev.claws.eval;

import java.util.List;
import java.util.Optional;

/** The result of one multiple-choice task: its reported metrics and the scored documents behind them. */
public record TaskResult(String task, List<MetricValue> metrics, List<ScoredItem> items) {
    public TaskResult {
        metrics = List.copyOf(metrics);
        items = List.copyOf(items);
    }

    public int samples() {
        return items.size();
    }

    public Optional<MetricValue> metric(Metric metric) {
        return metrics.stream().filter(m -> m.metric() == metric).findFirst();
    }

    /** Aggregates scored documents into the task's metrics (mean and standard error of the mean). */
    public static TaskResult of(MultipleChoiceTask task, List<ScoredItem> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("items: a task result needs at least one scored document");
        }
        List<MetricValue> metrics = task.metrics().stream().map(metric -> {
            double[] values = items.stream().mapToDouble(item -> item.value(metric)).toArray();
            return new MetricValue(metric, Metrics.mean(values), Metrics.meanStderr(values), values.length);
        }).toList();
        return new TaskResult(task.name(), metrics, items);
    }
}

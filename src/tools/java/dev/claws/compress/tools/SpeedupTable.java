package dev.claws.compress.tools;

import dev.claws.model.ModelConfig;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decode tokens/s of a base model and its variants over interleaved rounds, printed as measured against ideal speedup.
 * The measured speedup of a round is the variant's tokens/s over the base's in the same round (so load that hits a
 * whole round cancels out); the table gives its median and min..max over the rounds. Two ideals: parameters a decode
 * step reads (every weight matrix once per token, the input embedding only when it is also the LM head, since a step
 * gathers one row of an untied embedding table) and all stored parameters.
 */
final class SpeedupTable {

    /** One row of the table: a model's name, method ("-" for the base), ratio and config. */
    record Entry(String name, String method, double ratio, ModelConfig config) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, List<Double>> tokensPerSecond = new LinkedHashMap<>();
    private final String baseName;

    /** {@code baseName}: the entry the speedups are relative to; it must be added and measured in every round. */
    SpeedupTable(String baseName) {
        this.baseName = baseName;
    }

    /** Records one round's decode tokens/s of {@code entry} (rounds in order, the same count for every entry). */
    void add(Entry entry, double decodeTokensPerSecond) {
        entries.putIfAbsent(entry.name(), entry);
        tokensPerSecond.computeIfAbsent(entry.name(), k -> new ArrayList<>()).add(decodeTokensPerSecond);
    }

    /**
     * Parameters a decode step multiplies: all stored ones less the input embedding when the LM head is a separate
     * matrix (untied, e.g. every SliceGPT variant and the Qwen2.5-Coder-0.5B GGUF).
     */
    static long parametersReadPerToken(ModelConfig c) {
        return c.parameterCount() - (c.tieWordEmbeddings() ? 0 : (long) c.vocabSize() * c.embeddingWidth());
    }

    /** The Markdown table, one row per entry in insertion order. */
    String markdown() {
        Entry base = entries.get(baseName);
        List<Double> baseTps = tokensPerSecond.get(baseName);
        StringBuilder out = new StringBuilder();
        out.append("| variant | ratio | parameters | read per token | decode tokens/s, median (min..max) | measured "
                + "speedup, median (min..max) | ideal speedup (read per token) | measured / ideal | ideal speedup (all "
                + "parameters) |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Entry e : entries.values()) {
            List<Double> tps = tokensPerSecond.get(e.name());
            DescriptiveStatistics speedups = new DescriptiveStatistics();
            for (int i = 0; i < tps.size(); i++) {
                speedups.addValue(tps.get(i) / baseTps.get(i));
            }
            double ideal = (double) parametersReadPerToken(base.config()) / parametersReadPerToken(e.config());
            out.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %s | %s | %.2fx | %.2f | %.2fx |\n",
                    e.name(), e.method().equals("-") ? "-" : String.format(Locale.ROOT, "%.1f", e.ratio()),
                    e.config().parameterCount(), parametersReadPerToken(e.config()), spread(statistics(tps), ""),
                    spread(speedups, "x"), ideal, speedups.getPercentile(50) / ideal,
                    (double) base.config().parameterCount() / e.config().parameterCount()));
        }
        return out.toString();
    }

    private static DescriptiveStatistics statistics(List<Double> values) {
        return new DescriptiveStatistics(values.stream().mapToDouble(x -> x).toArray());
    }

    /** "median{unit} (min..max)" with two decimals. */
    private static String spread(DescriptiveStatistics s, String unit) {
        return String.format(Locale.ROOT, "%.2f%s (%.2f..%.2f)", s.getPercentile(50), unit, s.getMin(), s.getMax());
    }
}

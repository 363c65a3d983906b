package dev.claws.compress.tools;

import dev.claws.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeedupTableTest {

    private static ModelConfig config(int intermediate, boolean tied) {
        return ModelConfig.of(ModelConfig.Architecture.QWEN2, 64, 2, 4, 2, 16, intermediate, 1000, 128, 1e-6, 1e6,
                null, tied, true, false, 0, List.of(1));
    }

    @Test
    void anUntiedInputEmbeddingIsNotReadPerToken() {
        ModelConfig tied = config(256, true);
        ModelConfig untied = config(256, false);
        assertEquals(tied.parameterCount(), SpeedupTable.parametersReadPerToken(tied));
        assertEquals(untied.parameterCount() - 1000L * 64, SpeedupTable.parametersReadPerToken(untied));
        // the untied head is read like the tied embedding it replaces
        assertEquals(SpeedupTable.parametersReadPerToken(tied), SpeedupTable.parametersReadPerToken(untied));
    }

    @Test
    void measuredSpeedupIsTheMedianOfPerRoundRatios() {
        SpeedupTable table = new SpeedupTable("base");
        SpeedupTable.Entry base = new SpeedupTable.Entry("base", "-", 0, config(256, true));
        SpeedupTable.Entry pruned = new SpeedupTable.Entry("random_prune-r0.5", "random_prune", 0.5,
                config(128, true));
        double[][] rounds = {{10, 12}, {5, 6}, {8, 20}}; // {base, variant} tokens/s per round
        for (double[] r : rounds) {
            table.add(base, r[0]);
            table.add(pruned, r[1]);
        }
        String row = table.markdown().lines().filter(l -> l.startsWith("| random_prune-r0.5 ")).findFirst()
                .orElseThrow();
        // per-round speedups 1.2, 1.2, 2.5 (not the ratio of the medians, 12 / 8 = 1.5)
        assertTrue(row.contains("| 12.00 (6.00..20.00) | 1.20x (1.20..2.50) |"), row);
        double ideal = (double) SpeedupTable.parametersReadPerToken(base.config())
                / SpeedupTable.parametersReadPerToken(pruned.config());
        assertTrue(row.contains(String.format(Locale.ROOT, "| %.2fx | %.2f |", ideal, 1.2 / ideal)), row);
    }
}

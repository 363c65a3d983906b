package dev.claws.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The migration adding variant.parameter_ratio fills it for rows stored before it, from their base's count. */
class ParameterRatioMigrationTest {

    @Test
    void existingVariantsGetTheirAchievedRatioAndBaseModelsZero() throws SQLException {
        String url = "jdbc:h2:mem:parameter-ratio-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        Flyway.configure().dataSource(url, "claws", "").locations("classpath:db/migration").target("1").load()
                .migrate();
        try (Connection c = DriverManager.getConnection(url, "claws", "");
             Statement s = c.createStatement()) {
            s.executeUpdate(insert("smollm2", null, 134_515_008L));
            s.executeUpdate(insert("smollm2-sg25", "smollm2", 140_705_472L));
            s.executeUpdate(insert("smollm2-rp50", "smollm2", 100_000_000L));
            s.executeUpdate(insert("orphan-sg30", "deleted-base", 1_000L));
        }
        Flyway.configure().dataSource(url, "claws", "").locations("classpath:db/migration").load().migrate();
        Map<String, Double> ratios = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url, "claws", "");
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT name, parameter_ratio FROM variant")) {
            while (rows.next()) {
                String name = rows.getString(1);
                double v = rows.getDouble(2);
                ratios.put(name, rows.wasNull() ? null : v);
            }
        }
        assertEquals(0.0, ratios.get("smollm2"));
        assertEquals(1 - 140_705_472.0 / 134_515_008.0, ratios.get("smollm2-sg25"), 1e-12);
        assertEquals(1 - 100_000_000.0 / 134_515_008.0, ratios.get("smollm2-rp50"), 1e-12);
        assertNull(ratios.get("orphan-sg30"));
    }

    private static String insert(String name, String base, long parameters) {
        return "INSERT INTO variant (name, base, parent, method, ratio, rft_tokens, parameter_count, size_bytes, path, "
                + "created) VALUES ('" + name + "', " + (base == null ? "NULL" : "'" + base + "'") + ", "
                + (base == null ? "NULL" : "'" + base + "'") + ", '" + (base == null ? "NONE" : "SLICEGPT")
                + "', 0.25, 0, " + parameters + ", 1, 'data/variants/" + name + "', CURRENT_TIMESTAMP)";
    }
}

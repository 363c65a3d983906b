import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prints one table row per ghz JSON report: requests, errors, requests/s, p50/p95/p99 latency and the speedup over the
 * first report (the base model) at equal load. Exits with 1 when any request failed.
 *
 * <p>Run as a single-file program with gson on the class path:
 * {@code java -cp "target/quarkus-app/lib/main/*" load-tests/GhzTable.java base.json variant.json ...}
 */
public class GhzTable {

    record Row(String variant, long requests, long errors, double rps, double p50, double p95, double p99) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: GhzTable <base report.json> [variant report.json ...]");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        for (String file : args) {
            rows.add(row(JsonParser.parseString(Files.readString(Path.of(file))).getAsJsonObject(), file));
        }
        Row base = rows.get(0);
        System.out.printf("%-22s %9s %7s %9s %9s %9s %9s %18s%n", "variant", "requests", "errors", "req/s",
                "p50 ms", "p95 ms", "p99 ms", "speedup (req/s)");
        long errors = 0;
        for (Row r : rows) {
            System.out.printf("%-22s %9d %7d %9.1f %9.0f %9.0f %9.0f %17.2fx%n", r.variant(), r.requests(), r.errors(),
                    r.rps(), r.p50(), r.p95(), r.p99(), r.rps() / base.rps());
            errors += r.errors();
        }
        if (errors > 0) {
            System.out.println(errors + " request(s) failed");
            System.exit(1);
        }
    }

    private static Row row(JsonObject report, String file) {
        String name = report.has("name") ? report.get("name").getAsString() : file;
        String variant = name.startsWith("Generate ") ? name.substring("Generate ".length()) : name;
        long count = report.get("count").getAsLong();
        long ok = 0;
        if (report.has("statusCodeDistribution") && report.get("statusCodeDistribution").isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : report.getAsJsonObject("statusCodeDistribution").entrySet()) {
                if (e.getKey().equals("OK")) {
                    ok += e.getValue().getAsLong();
                }
            }
        }
        double p50 = 0;
        double p95 = 0;
        double p99 = 0;
        if (report.has("latencyDistribution") && report.get("latencyDistribution").isJsonArray()) {
            for (JsonElement e : report.getAsJsonArray("latencyDistribution")) {
                int percentage = e.getAsJsonObject().get("percentage").getAsInt();
                double millis = e.getAsJsonObject().get("latency").getAsDouble() / 1e6;
                switch (percentage) {
                    case 50 -> p50 = millis;
                    case 95 -> p95 = millis;
                    case 99 -> p99 = millis;
                    default -> { }
                }
            }
        }
        return new Row(variant, count, count - ok, report.get("rps").getAsDouble(), p50, p95, p99);
    }
}

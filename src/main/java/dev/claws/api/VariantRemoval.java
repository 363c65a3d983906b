package dev.claws.api;

import dev.claws.api.v1.DeleteVariantResponse;
import dev.claws.model.io.FileTrees;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import dev.claws.config.DataConfig;
import org.jboss.logging.Logger;

/**
 * Deletes a variant's record and, when claws created its checkpoint (it lies under {@code <data-dir>/variants}), its
 * files. The directory is first renamed aside in one atomic step, then the row is deleted; if that fails the
 * directory is moved back, so a failure never leaves a record pointing at half-deleted files.
 */
@ApplicationScoped
public class VariantRemoval {

    private static final Logger LOG = Logger.getLogger(VariantRemoval.class);

    private final VariantRepository variants;
    private final Path variantsDir;

    @Inject
    public VariantRemoval(VariantRepository variants, DataConfig data) {
        this.variants = variants;
        this.variantsDir = data.dataDir().resolve("variants").toAbsolutePath().normalize();
    }

    public DeleteVariantResponse delete(String name) {
        String storedPath = QuarkusTransaction.requiringNew().call(() -> {
            VariantEntity row = variants.findByName(name)
                    .orElseThrow(() -> ErrorStatus.notFound("variant '" + name + "' does not exist"));
            long derived = variants.countDerivedFrom(name);
            if (derived > 0) {
                throw ErrorStatus.failedPrecondition("variant '" + name + "' cannot be deleted: " + derived
                        + " other variant(s) derive from it; delete them first");
            }
            return row.path;
        });
        Path owned = ownedCheckpoint(storedPath);
        Path aside = owned == null ? null : moveAside(owned);
        try {
            long deleted = QuarkusTransaction.requiringNew().call(() -> variants.delete("name", name));
            if (deleted == 0) {
                throw ErrorStatus.notFound("variant '" + name + "' does not exist");
            }
        } catch (RuntimeException e) {
            if (aside != null) {
                moveBack(aside, owned);
            }
            throw e;
        }
        long bytes = aside == null ? 0 : deleteTree(aside);
        return DeleteVariantResponse.newBuilder()
                .setName(name)
                .setFilesDeleted(aside != null)
                .setBytesFreed(bytes)
                .build();
    }

    /** The checkpoint directory when claws owns it (strictly inside the variants directory), else null. */
    private Path ownedCheckpoint(String storedPath) {
        Path path = Path.of(storedPath).toAbsolutePath().normalize();
        boolean owned = path.startsWith(variantsDir) && !path.equals(variantsDir) && Files.isDirectory(path);
        return owned ? path : null;
    }

    private static Path moveAside(Path dir) {
        Path aside = dir.resolveSibling("." + dir.getFileName() + ".deleting-" + System.nanoTime());
        try {
            return Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("cannot rename " + dir + " atomically", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + dir + " aside for deletion", e);
        }
    }

    private static void moveBack(Path aside, Path original) {
        try {
            Files.move(aside, original, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.errorf(e, "could not restore %s to %s after a failed delete", aside, original);
        }
    }

    /** Deletes a directory tree; returns the bytes of the regular files removed. */
    private static long deleteTree(Path root) {
        long bytes = FileTrees.deleteQuietly(root);
        if (Files.exists(root)) {
            // the record is gone already; what is left is an orphan directory named .*.deleting-*, logged for cleanup
            LOG.errorf("variant files at %s were not fully removed", root);
        }
        return bytes;
    }
}

package dev.claws.jobs;

import dev.claws.store.VariantEntity;
import java.nio.file.Path;

/**
 * A stored variant as a job uses it: its checkpoint directory and its lineage (copied into the results it produces).
 *
 * @param baseModel the uncompressed base it descends from; its own name for a base model
 */
public record ModelRef(String name, Path path, String baseModel, VariantEntity.Method method, double ratio, long rftTokens) {

    public static ModelRef of(VariantEntity row) {
        return new ModelRef(row.name, Path.of(row.path), row.isBaseModel() ? row.name : row.base, row.method, row.ratio,
                row.rftTokens);
    }

    public boolean isBaseModel() {
        return name.equals(baseModel);
    }
}

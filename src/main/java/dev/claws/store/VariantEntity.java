package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import java.time.Instant;

/** A servable checkpoint directory: a base model or a variant derived from one by compression and/or recovery. */
@Entity
@Table(name = "variant")
public class VariantEntity extends PanacheEntityBase {

    /** How a variant was derived from its base model. */
    public enum Method { NONE, RANDOM_PRUNE, SLICEGPT }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** Unique name the API addresses the variant by. */
    @Column(name = "name", nullable = false, length = 128, unique = true)
    public String name;

    /** Uncompressed base model it descends from; null for a base model. */
    @Column(name = "base", length = 128)
    public String base;

    /** VariantEntity it was directly derived from; null for a base model. */
    @Column(name = "parent", length = 128)
    public String parent;

    @Enumerated(EnumType.STRING)
    @Column(name = "method", nullable = false, length = 32)
    public Method method = Method.NONE;

    /** Compression ratio r in [0, 1). */
    @Column(name = "ratio", nullable = false)
    public double ratio;

    /** Recovery fine-tuning tokens D (0 = none). */
    @Column(name = "rft_tokens", nullable = false)
    public long rftTokens;

    @Column(name = "parameter_count", nullable = false)
    public long parameterCount;

    /**
     * Achieved compression in parameters: 1 - parameterCount / (the base's parameterCount), next to the requested
     * {@link #ratio}; negative when the variant is larger than its base. 0 for a base model, null when unknown.
     */
    @Column(name = "parameter_ratio")
    public Double parameterRatio;

    /** Size of the checkpoint directory on disk. */
    @Column(name = "size_bytes", nullable = false)
    public long sizeBytes;

    /** Checkpoint directory. */
    @Column(name = "path", nullable = false, length = 4096)
    public String path;

    @Column(name = "created", nullable = false)
    public Instant created;

    @PrePersist
    void stampCreation() {
        if (created == null) {
            created = StoredTime.now();
        }
    }

    public boolean isBaseModel() {
        return base == null || base.isEmpty();
    }
}

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

/**
 * One evaluation measurement of a variant on a task and metric. The variant's lineage (base model, method, ratio, RFT
 * tokens) is copied into the row so law fits can still select it after the variant is deleted.
 */
@Entity
@Table(name = "eval_result")
public class EvalResultEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** JobEntity that produced the row; null for rows recorded outside a job. */
    @Column(name = "job_id")
    public Long jobId;

    @Column(name = "variant", nullable = false, length = 128)
    public String variant;

    /** Task, e.g. "wikitext2" or "piqa". */
    @Column(name = "task", nullable = false, length = 64)
    public String task;

    /** Metric, e.g. "cross_entropy", "perplexity", "acc", "acc_norm". */
    @Column(name = "metric", nullable = false, length = 64)
    public String metric;

    @Column(name = "metric_value", nullable = false)
    public double value;

    /** Standard error of value; 0 when not defined. */
    @Column(name = "stderr", nullable = false)
    public double stderr;

    /** Examples (extrinsic) or tokens (intrinsic) behind value. */
    @Column(name = "samples", nullable = false)
    public long samples;

    /** Base model of the variant (the variant itself when it is a base model). */
    @Column(name = "base_model", nullable = false, length = 128)
    public String baseModel;

    @Enumerated(EnumType.STRING)
    @Column(name = "method", nullable = false, length = 32)
    public VariantEntity.Method method = VariantEntity.Method.NONE;

    @Column(name = "ratio", nullable = false)
    public double ratio;

    @Column(name = "rft_tokens", nullable = false)
    public long rftTokens;

    @Column(name = "created", nullable = false)
    public Instant created;

    @PrePersist
    void stampCreation() {
        if (created == null) {
            created = StoredTime.now();
        }
    }
}

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
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What one step of a compression-law study produced, keyed by the step's lineage (see V4__study.sql): a compressed or
 * recovered variant, or the evaluation / benchmark rows of a variant. A later study with a step of the same key reuses
 * the products instead of recomputing them.
 */
@Entity
@Table(name = "study_step")
public class StudyStepEntity extends PanacheEntityBase {

    public enum Kind { COMPRESSION, RECOVERY, EVALUATION, BENCHMARK }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** The step's lineage as a canonical string, unique. */
    @Column(name = "step_key", nullable = false, length = 2048, unique = true)
    public String stepKey;

    @Enumerated(EnumType.STRING)
    @Column(name = "kind", nullable = false, length = 32)
    public Kind kind;

    /** The study job that ran the step. */
    @Column(name = "job_id", nullable = false)
    public long jobId;

    /** The variant produced (compression, recovery) or measured (evaluation, benchmark). */
    @Column(name = "variant", nullable = false, length = 128)
    public String variant;

    /** Ids of the eval_result or benchmark_run rows produced, comma-separated; empty for variants. */
    @Column(name = "result_ids", nullable = false, length = 100_000)
    public String resultIds = "";

    @Column(name = "created", nullable = false)
    public Instant created;

    @PrePersist
    void stampCreation() {
        if (created == null) {
            created = StoredTime.now();
        }
    }

    public List<Long> resultIdList() {
        return resultIds.isEmpty() ? List.of() : Arrays.stream(resultIds.split(",")).map(Long::valueOf).toList();
    }

    public void setResultIdList(List<Long> ids) {
        resultIds = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}

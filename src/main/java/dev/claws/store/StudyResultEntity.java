package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import java.time.Instant;

/** The analysis of a finished compression-law study, one row per study job (JSON document, see V4__study.sql). */
@Entity
@Table(name = "study_result")
public class StudyResultEntity extends PanacheEntityBase {

    @Id
    @Column(name = "job_id")
    public Long jobId;

    @Column(name = "name", nullable = false, length = 128)
    public String name;

    @Column(name = "analysis_json", nullable = false, length = 1_000_000)
    public String analysisJson;

    @Column(name = "created", nullable = false)
    public Instant created;

    @PrePersist
    void stampCreation() {
        if (created == null) {
            created = StoredTime.now();
        }
    }
}

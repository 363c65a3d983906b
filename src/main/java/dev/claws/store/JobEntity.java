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
import java.util.EnumSet;
import java.util.Set;

/**
 * A durable unit of background work. The submitted request, the validated spec the job runs and its result are kept
 * as JSON documents, so the table does not change when a request gains a field.
 */
@Entity
@Table(name = "job")
public class JobEntity extends PanacheEntityBase {

    public enum Kind { COMPRESSION, RECOVERY, EVALUATION, BENCHMARK, STUDY }

    public enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED;

        private static final Set<State> FINAL = EnumSet.of(SUCCEEDED, FAILED, CANCELLED, INTERRUPTED);

        public boolean isFinal() {
            return FINAL.contains(this);
        }
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Enumerated(EnumType.STRING)
    @Column(name = "kind", nullable = false, length = 32)
    public Kind kind;

    @Enumerated(EnumType.STRING)
    @Column(name = "state", nullable = false, length = 32)
    public State state = State.QUEUED;

    /** Fraction done, 0 to 1. */
    @Column(name = "progress", nullable = false)
    public double progress;

    @Column(name = "stage", length = 256)
    public String stage;

    @Column(name = "message", length = 4096)
    public String message;

    @Column(name = "error", length = 16384)
    public String error;

    /** The submitted request as protobuf JSON (with defaults filled in), shown to callers; never parsed to run. */
    @Column(name = "request_json", nullable = false, length = 1_000_000)
    public String requestJson;

    /**
     * The validated request the job runs (dev.claws.jobs.JobSpec as JSON, written by the job runner); null only in
     * rows stored before version 3 of the schema.
     */
    @Column(name = "spec_json", length = 1_000_000)
    public String specJson;

    /**
     * The result; null until the job succeeds. Rows with a spec hold dev.claws.jobs.JobResultData as JSON (stored
     * rows by id); older rows hold a claws.v1.JobResult as protobuf JSON.
     */
    @Column(name = "result_json", length = 1_000_000)
    public String resultJson;

    @Column(name = "created", nullable = false)
    public Instant created;

    @Column(name = "started")
    public Instant started;

    @Column(name = "finished")
    public Instant finished;

    @PrePersist
    void stampCreation() {
        if (created == null) {
            created = StoredTime.now();
        }
    }
}

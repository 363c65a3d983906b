package dev.claws.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * Latency of one variant at one (prompt length, generation length) over several repeats. Spread = largest minus
 * smallest repeat. Speedups are relative to the base model measured in the same run.
 */
@Entity
@Table(name = "benchmark_run")
public class BenchmarkRunEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_id")
    public Long jobId;

    @Column(name = "variant", nullable = false, length = 128)
    public String variant;

    @Column(name = "base", nullable = false, length = 128)
    public String base;

    @Column(name = "prompt_len", nullable = false)
    public int promptLength;

    @Column(name = "gen_len", nullable = false)
    public int generationLength;

    @Column(name = "repeats", nullable = false)
    public int repeats;

    @Column(name = "prefill_ms_median", nullable = false)
    public double prefillMsMedian;

    @Column(name = "prefill_ms_spread", nullable = false)
    public double prefillMsSpread;

    @Column(name = "decode_ms_per_token_median", nullable = false)
    public double decodeMsPerTokenMedian;

    @Column(name = "decode_ms_per_token_spread", nullable = false)
    public double decodeMsPerTokenSpread;

    @Column(name = "tokens_per_second", nullable = false)
    public double tokensPerSecond;

    /** Base decode ms per token / this variant's. */
    @Column(name = "speedup", nullable = false)
    public double speedup;

    /** Base parameter count / this variant's. */
    @Column(name = "ideal_speedup", nullable = false)
    public double idealSpeedup;

    /** Where it ran, e.g. "cpu" or "gpu". */
    @Column(name = "device", nullable = false, length = 64)
    public String device;

    @Column(name = "created", nullable = false)
    public Instant created;

    @PrePersist
    void stampCreation() {
        if (created == null) {
            created = StoredTime.now();
        }
    }
}

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
 * A stored fit of the compression law L = L0^alpha (1+r)^beta (1 + 1/(D+1))^gamma. Coefficients, their standard
 * errors and 95% intervals are columns; the points, the diagnostics (residuals, shape check) and the selection that
 * produced the points are JSON documents.
 */
@Entity
@Table(name = "law_fit")
public class LawFitEntity extends PanacheEntityBase {

    public enum Kind { INTRINSIC, EXTRINSIC }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "name", nullable = false, length = 128)
    public String name;

    @Enumerated(EnumType.STRING)
    @Column(name = "kind", nullable = false, length = 32)
    public Kind kind;

    /** Metric of selected points; null for explicit points. */
    @Column(name = "metric", length = 64)
    public String metric;

    @Column(name = "alpha", nullable = false) public double alpha;
    @Column(name = "alpha_stderr", nullable = false) public double alphaStderr;
    @Column(name = "alpha_ci_low", nullable = false) public double alphaCiLow;
    @Column(name = "alpha_ci_high", nullable = false) public double alphaCiHigh;

    @Column(name = "beta", nullable = false) public double beta;
    @Column(name = "beta_stderr", nullable = false) public double betaStderr;
    @Column(name = "beta_ci_low", nullable = false) public double betaCiLow;
    @Column(name = "beta_ci_high", nullable = false) public double betaCiHigh;

    @Column(name = "gamma", nullable = false) public double gamma;
    @Column(name = "gamma_stderr", nullable = false) public double gammaStderr;
    @Column(name = "gamma_ci_low", nullable = false) public double gammaCiLow;
    @Column(name = "gamma_ci_high", nullable = false) public double gammaCiHigh;

    @Column(name = "r2_log", nullable = false)
    public double r2Log;

    @Column(name = "r2_linear", nullable = false)
    public double r2Linear;

    @Column(name = "n_points", nullable = false)
    public int nPoints;

    @Column(name = "points_json", nullable = false, length = 1_000_000)
    public String pointsJson;

    @Column(name = "diagnostics_json", nullable = false, length = 1_000_000)
    public String diagnosticsJson;

    @Column(name = "selection_json", length = 1_000_000)
    public String selectionJson;

    @Column(name = "created", nullable = false)
    public Instant created;

    @PrePersist
    void stampCreation() {
        if (created == null) {
            created = StoredTime.now();
        }
    }
}

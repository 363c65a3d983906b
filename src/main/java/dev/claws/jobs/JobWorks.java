package dev.claws.jobs;

import dev.claws.model.EngineOptions;
import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.EvalResultRepository;
import dev.claws.store.StudyResultRepository;
import dev.claws.store.StudyStepRepository;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Makes the work of a job from its validated spec. Jobs load their own models (and close them when done) on
 * claws.engine.device with PyTorch's process-wide thread setting left as it is.
 */
@ApplicationScoped
public class JobWorks {

    @Inject
    JobPaths paths;

    @Inject
    EvalResultRepository evalResults;

    @Inject
    BenchmarkRunRepository benchmarkRuns;

    @Inject
    VariantRepository variants;

    @Inject
    StudyStepRepository studySteps;

    @Inject
    StudyResultRepository studyResults;

    @Inject
    LawFitArchive lawFits;

    /** The server's one set of engine options (produced from claws.engine.* at start-up). */
    @Inject
    EngineOptions engine;

    public EngineOptions engineOptions() {
        return engine;
    }

    public JobPaths paths() {
        return paths;
    }

    /**
     * The work of a spec. The stored variants it reads must still exist (a queued job may wait while one is deleted);
     * reads the variant table in its own transaction, so call it outside the interruptible part.
     *
     * @throws IllegalArgumentException naming the variant that no longer exists
     */
    public JobWork workFor(JobSpec spec) {
        QuarkusTransaction.requiringNew().run(() -> {
            for (ModelRef input : spec.inputs()) {
                if (variants.findByName(input.name()).isEmpty()) {
                    throw new IllegalArgumentException("variant '" + input.name() + "' does not exist any more (it was"
                            + " deleted after the job was submitted)");
                }
            }
        });
        if (spec instanceof EvaluationJobSpec s) {
            return new EvaluationWork(s, paths.evalDataDir(), engineOptions(), evalResults);
        } else if (spec instanceof BenchmarkJobSpec s) {
            return new BenchmarkWork(s, engineOptions(), benchmarkRuns);
        } else if (spec instanceof CompressionJobSpec s) {
            return new CompressionWork(s, paths, engineOptions(), variants);
        } else if (spec instanceof RecoveryJobSpec s) {
            return new RecoveryWork(s, paths, engineOptions(), variants);
        } else if (spec instanceof StudySpec s) {
            return new StudyWork(s, paths, engineOptions(), new StudyWork.Stores(variants, evalResults, benchmarkRuns,
                    studySteps, studyResults, lawFits));
        }
        throw new IllegalArgumentException("no work for " + spec.getClass().getSimpleName()); // unreachable: sealed
    }
}

package dev.claws.jobs;

import dev.claws.model.EngineOptions;
import dev.claws.store.BenchmarkRunRepository;
import dev.claws.store.EvalResultRepository;
import dev.claws.store.VariantRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Makes the work of each job kind from a validated spec. Jobs load their own models (and close them when done) on
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
    dev.claws.store.StudyStepRepository studySteps;

    @Inject
    dev.claws.store.StudyResultRepository studyResults;

    @Inject
    LawFitArchive lawFits;

    @ConfigProperty(name = "claws.engine.device", defaultValue = "cpu")
    String device;

    public EngineOptions engineOptions() {
        return new EngineOptions(device, 0);
    }

    public JobPaths paths() {
        return paths;
    }

    public JobWork evaluation(EvaluationSpec spec) {
        return new EvaluationWork(spec, paths.evalDataDir(), engineOptions(), evalResults);
    }

    public JobWork benchmark(BenchmarkSpec spec) {
        return new BenchmarkWork(spec, engineOptions(), benchmarkRuns);
    }

    public JobWork compression(CompressionJobSpec spec) {
        return new CompressionWork(spec, paths, engineOptions(), variants);
    }

    public JobWork recovery(RecoveryJobSpec spec) {
        return new RecoveryWork(spec, paths, engineOptions(), variants);
    }

    public JobWork study(StudySpec spec) {
        return new StudyWork(spec, paths, engineOptions(), new StudyWork.Stores(variants, evalResults, benchmarkRuns,
                studySteps, studyResults, lawFits));
    }
}

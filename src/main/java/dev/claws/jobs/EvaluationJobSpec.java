package dev.claws.jobs;

import dev.claws.store.JobEntity;
import java.util.List;

/**
 * A validated evaluation request.
 *
 * @param maxSamplesPerTask extrinsic tasks: at most this many documents per task, 0 = all
 * @param windowLength      intrinsic corpora: tokens per window (already resolved from its default)
 * @param tokenBudget       intrinsic corpora: at most this many corpus tokens, 0 = the whole corpus
 */
public record EvaluationJobSpec(ModelRef variant, List<String> tasks, int maxSamplesPerTask, int windowLength,
                             long tokenBudget) implements JobSpec {

    public EvaluationJobSpec {
        tasks = List.copyOf(tasks);
    }

    @Override
    public JobEntity.Kind kind() {
        return JobEntity.Kind.EVALUATION;
    }

    @Override
    public List<ModelRef> inputs() {
        return List.of(variant);
    }
}

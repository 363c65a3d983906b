package dev.claws.jobs;

import dev.claws.store.JobEntity;
import java.util.List;

/**
 * A validated benchmark request. {@code models} holds every model measured, the requested variants and their bases
 * (each once); every model's base model is among them.
 */
public record BenchmarkJobSpec(List<ModelRef> models, List<Integer> promptLengths, List<Integer> generationLengths,
                            int repeats, int warmup) implements JobSpec {

    public BenchmarkJobSpec {
        models = List.copyOf(models);
        promptLengths = List.copyOf(promptLengths);
        generationLengths = List.copyOf(generationLengths);
    }

    @Override
    public JobEntity.Kind kind() {
        return JobEntity.Kind.BENCHMARK;
    }

    @Override
    public List<ModelRef> inputs() {
        return models;
    }
}

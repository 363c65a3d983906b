package dev.claws.jobs;

import dev.claws.store.Job;
import java.util.List;

/**
 * A validated benchmark request. {@code models} holds every model measured, the requested variants and their bases
 * (each once); every model's base model is among them.
 */
public record BenchmarkSpec(List<ModelRef> models, List<Integer> promptLengths, List<Integer> generationLengths,
                            int repeats, int warmup) implements JobSpec {

    public BenchmarkSpec {
        models = List.copyOf(models);
        promptLengths = List.copyOf(promptLengths);
        generationLengths = List.copyOf(generationLengths);
    }

    @Override
    public Job.Kind kind() {
        return Job.Kind.BENCHMARK;
    }

    @Override
    public List<ModelRef> inputs() {
        return models;
    }
}

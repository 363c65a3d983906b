package dev.claws.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks every claws.* setting once, first thing at start-up, and refuses to start with a message naming each bad
 * key, its value and what it accepts. Types are checked by the mappings themselves (a non-number fails to convert);
 * this adds the ranges.
 */
@ApplicationScoped
public class ConfigValidation {

    @Inject
    EngineConfig engine;

    @Inject
    DataConfig data;

    @Inject
    AdminConfig admin;

    @Inject
    DefaultModelConfig defaultModel;

    @Inject
    ServeConfig serve;

    @Inject
    JobsConfig jobs;

    @Inject
    EvalConfig eval;

    void onStart(@Observes @Priority(1) StartupEvent event) {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
    }

    /** What is wrong with the current settings; empty when they are usable. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (!engine.device().equals("cpu") && !engine.device().equals("gpu")) {
            out.add("claws.engine.device must be cpu or gpu, got '" + engine.device() + "'");
        }
        atLeast(out, "claws.serve.memory-budget-bytes", serve.memoryBudgetBytes(), 1);
        atLeast(out, "claws.serve.queue-capacity", serve.queueCapacity(), 1);
        atLeast(out, "claws.serve.concurrency", serve.concurrency(), 1);
        atLeast(out, "claws.serve.max-batch-size", serve.maxBatchSize(), 1);
        if (jobs.concurrency() < 1 || jobs.concurrency() > 64) {
            out.add("claws.jobs.concurrency must be between 1 and 64, got " + jobs.concurrency());
        }
        atLeast(out, "claws.jobs.max-queued", jobs.maxQueued(), 0);
        atLeast(out, "claws.jobs.cancel-wait-ms", jobs.cancelWaitMs(), 0);
        return out;
    }

    private static void atLeast(List<String> out, String key, long value, long min) {
        if (value < min) {
            out.add(key + " must be at least " + min + ", got " + value);
        }
    }
}

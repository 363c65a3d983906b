package dev.claws.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** One worker and one queue slot per variant, and a memory budget that fits claws-tiny plus one half-size variant. */
public class SmallQueueProfile implements QuarkusTestProfile {

    static final long BUDGET = 8_000_000;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("claws.serve.queue-capacity", "1",
                "claws.serve.concurrency", "1",
                "claws.serve.memory-budget-bytes", Long.toString(BUDGET));
    }
}

package dev.claws.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Four workers per variant whose decode steps run as one batch. */
public class BatchingProfile implements QuarkusTestProfile {

    static final int ROWS = 4;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("claws.serve.concurrency", Integer.toString(ROWS),
                "claws.serve.max-batch-size", Integer.toString(ROWS),
                "claws.serve.queue-capacity", "16");
    }
}

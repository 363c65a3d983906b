package dev.claws.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The server with room for one queued job only. */
public class JobLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("claws.jobs.max-queued", "1");
    }
}

package dev.claws.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The server with an admin token configured. */
public class AdminTokenProfile implements QuarkusTestProfile {

    static final String TOKEN = "test-admin-token-7f3a";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("claws.admin-token", TOKEN);
    }
}

package dev.claws.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.Optional;

/** {@code claws.admin-token}: who may call the mutating RPCs and HTTP endpoints. */
@ConfigMapping(prefix = "claws")
public interface AdminConfig {

    /**
     * {@code claws.admin-token}: the token the mutating calls must present ({@code authorization: Bearer <token>});
     * unset or blank = open. Set it through the environment ({@code CLAWS_ADMIN_TOKEN}).
     */
    @WithName("admin-token")
    Optional<String> adminToken();
}

package dev.claws.config;

import io.smallrye.config.ConfigMapping;

/** {@code claws.engine.*}: the tensor engine every model of this server (served or used by a job) runs on. */
@ConfigMapping(prefix = "claws.engine")
public interface EngineConfig {

    /** {@code claws.engine.device}: {@code cpu} or {@code gpu} (CUDA; PyTorch must see a device). */
    String device();
}

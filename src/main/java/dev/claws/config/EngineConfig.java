package dev.claws.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code claws.engine.*}: the tensor engine every model of this server (served or used by a job) runs on. */
@ConfigMapping(prefix = "claws.engine")
public interface EngineConfig {

    /** {@code claws.engine.device}: {@code cpu} or {@code gpu} (CUDA; PyTorch must see a device). */
    String device();

    /**
     * {@code claws.engine.decode-weights}: how generation's one-row decode steps on the CPU hold the projection weights,
     * {@code float32} (read in place), {@code bfloat16} or {@code int8} (see dev.claws.model.WeightsDtype).
     */
    @WithDefault("float32")
    String decodeWeights();
}

package dev.claws.serve;

import dev.claws.config.EngineConfig;
import dev.claws.model.EngineOptions;
import dev.claws.model.WeightsDtype;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The one {@link EngineOptions} of this server (device and decode-weights dtype from claws.engine.*; PyTorch's own
 * intra-op thread count), injected wherever models are loaded: the variant registry and the job works. Made at
 * start-up, right after dev.claws.config.ConfigValidation, so a bad claws.engine.decode-weights stops the server with
 * a message naming the key instead of failing the first model load (the config layer cannot check it itself: the
 * dtypes belong to the model layer).
 */
@ApplicationScoped
public class EngineOptionsProducer {

    @Produces
    @Singleton
    EngineOptions engineOptions(EngineConfig engine) {
        return options(engine.device(), engine.decodeWeights());
    }

    /** Makes the options at start-up (injecting them is enough), so a bad value fails there. */
    void onStart(@Observes @Priority(2) StartupEvent event, EngineOptions options) {
    }

    /**
     * The options for these claws.engine.* values.
     *
     * @throws IllegalArgumentException "invalid configuration: claws.engine.decode-weights must be ..." naming the value
     */
    static EngineOptions options(String device, String decodeWeights) {
        WeightsDtype dtype;
        try {
            dtype = WeightsDtype.parse(decodeWeights);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid configuration: claws.engine.decode-weights must be float32, "
                    + "bfloat16 or int8, got '" + decodeWeights + "'", e);
        }
        return new EngineOptions(device, 0, dtype);
    }
}

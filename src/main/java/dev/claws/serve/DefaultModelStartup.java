package dev.claws.serve;

import dev.claws.model.ModelConfig;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.claws.config.ServeConfig;
import org.jboss.logging.Logger;

/**
 * At start-up, registers the default model (claws.model.default, resolved by {@link DefaultModelSource}: a checkpoint
 * directory, or a .gguf file fetched once and imported) as a base model named after it (models/claws-tiny:
 * claws-tiny) if no row of that name exists, and loads it. Until it is resident the server is not ready
 * ({@link VariantRegistry#ready()}: grpc.health.v1 answers NOT_SERVING). A model that cannot be loaded is logged with
 * the reason and the server stays up but NOT_SERVING (its Variants, Jobs and Laws calls work, so the model can be
 * fixed and loaded with LoadVariant; Inference calls without a variant name answer FAILED_PRECONDITION or NOT_FOUND):
 * a readiness probe keeps traffic away and a liveness probe on claws.v1.Variants does not restart it in a loop.
 */
@ApplicationScoped
public class DefaultModelStartup {

    private static final Logger LOG = Logger.getLogger(DefaultModelStartup.class);

    @Inject
    VariantRepository variants;

    @Inject
    VariantRegistry registry;

    @Inject
    DefaultModelSource source;

    @Inject
    ServeConfig serve;

    void onStart(@Observes StartupEvent event) {
        if (!serve.loadDefaultAtStart()) {
            LOG.infof("claws.serve.load-default-at-start=false: health answers NOT_SERVING until the default model %s "
                    + "is loaded (Variants/LoadVariant)", source.name());
            return;
        }
        DefaultModelSource.Resolved resolved = source.resolve();
        String name = resolved.name();
        Path defaultModel = resolved.checkpoint();
        try {
            if (!Files.isRegularFile(defaultModel.resolve(ModelConfig.FILE_NAME))) {
                LOG.errorf("default model %s (claws.model.default) has no %s; nothing is loaded at start-up and "
                        + "health answers NOT_SERVING", defaultModel, ModelConfig.FILE_NAME);
                return;
            }
            VariantEntity fresh = VariantRegistry.baseModelRow(name, defaultModel);
            QuarkusTransaction.requiringNew().run(() -> {
                VariantEntity row = variants.findByName(name).orElse(null);
                if (row == null) {
                    variants.persist(fresh);
                } else if (!Path.of(row.path).toAbsolutePath().normalize()
                        .equals(defaultModel.toAbsolutePath().normalize())) {
                    LOG.warnf("variant %s is registered with path %s, not claws.model.default=%s; loading the "
                            + "registered path", name, row.path, defaultModel);
                }
            });
            registry.load(name);
        } catch (RuntimeException e) {
            LOG.errorf(e, "default model %s could not be loaded at start-up; health answers NOT_SERVING until it is "
                    + "loaded", defaultModel);
        }
    }
}

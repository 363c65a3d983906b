package dev.claws.jobs;

import dev.claws.store.JobEntity;
import dev.claws.train.RecoverySpec;
import java.util.List;

/** A validated recovery request: fine-tune {@code variant} with LoRA, merge, and store the result as {@code name}. */
public record RecoveryJobSpec(ModelRef variant, String name, RecoverySpec recovery) implements JobSpec {

    @Override
    public JobEntity.Kind kind() {
        return JobEntity.Kind.RECOVERY;
    }

    @Override
    public List<ModelRef> inputs() {
        return List.of(variant);
    }
}

package dev.claws.jobs;

import dev.claws.store.JobEntity;
import dev.claws.train.RecoverySpec;
import java.util.List;

/** A validated recovery request: fine-tune {@code variant} with LoRA, merge, and store the result as {@code name}. */
public record RecoveryJobSpec(ModelRef variant, String name, RecoverySpec recovery) implements JobSpec {

    /** The name a recovered variant gets when none is given: "&lt;variant&gt;-rft&lt;token budget&gt;" (read unsigned). */
    public static String defaultName(String variant, long tokenBudget) {
        return variant + "-rft" + Long.toUnsignedString(tokenBudget);
    }

    @Override
    public JobEntity.Kind kind() {
        return JobEntity.Kind.RECOVERY;
    }

    @Override
    public List<ModelRef> inputs() {
        return List.of(variant);
    }
}

package dev.claws.jobs;

import dev.claws.train.RecoverySpec;

/** A validated recovery request: fine-tune {@code variant} with LoRA, merge, and store the result as {@code name}. */
public record RecoveryJobSpec(ModelRef variant, String name, RecoverySpec recovery) {
}

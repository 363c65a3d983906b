/**
 * Command-line tools of the model layer (not part of the server): GGUF import and parity, synthetic checkpoints,
 * generation and batched-decode benchmarks, the decode profile, the host decode-step prototype, and their small
 * helpers. Run with {@code ./mvnw -q test-compile exec:java -Dexec.mainClass=dev.claws.model.tools.<Tool>}.
 *
 * <p>May import: any server package; no server package imports the tools.
 */
package dev.claws.model.tools;

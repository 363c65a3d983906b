/**
 * Command-line tools of the compression layer (not part of the server): Compress (RandomPruneNet / SliceGPT into a
 * new checkpoint) and the compression benchmark.
 *
 * <p>May import: any server package; no server package imports the tools.
 */
package dev.claws.compress.tools;

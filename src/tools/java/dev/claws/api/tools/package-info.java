/**
 * Benchmarks of the whole server (not part of it): the serving memory benchmark, which starts the packaged server.
 *
 * <p>May import: any server package; no server package imports the tools.
 */
package dev.claws.api.tools;

/**
 * Persistence: the Panache entities and repositories (variants, jobs, evaluation results, benchmark runs, law fits,
 * study steps and results) over the schema that Flyway migrates (src/main/resources/db/migration).
 *
 * <p>May import: nothing from claws. Used by api, jobs and serve.
 */
package dev.claws.store;

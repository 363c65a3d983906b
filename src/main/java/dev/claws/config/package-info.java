/**
 * Configuration: one SmallRye {@code @ConfigMapping} interface per concern (engine, data directory, admin token,
 * default model, serving limits, jobs, evaluation data), each method documenting its claws.* key; defaults live in
 * application.properties, and {@link dev.claws.config.ConfigValidation} checks the ranges at start-up.
 *
 * <p>May import: nothing from claws. Used by api, jobs and serve.
 */
package dev.claws.config;

/**
 * The wire: gRPC services (Inference, Variants, Jobs, Laws, health) and the OpenAI-compatible HTTP API. Each call is
 * validated here once into the layers' own values (e.g. {@link dev.claws.api.JobValidation} builds a
 * {@link dev.claws.jobs.JobSpec}, {@link dev.claws.api.InferenceValidation} a generation request), handed to jobs, serve or
 * law, and the answer mapped back; every failure becomes a status through the one mapper {@link dev.claws.api.ErrorStatus}
 * (gRPC status, and HTTP status for the OpenAI API). The admin-token interceptor guards the mutating calls. No model
 * logic here.
 *
 * <p>May import: every other claws package (jobs, serve, law, report, compress, train, eval, model, store, config)
 * and the generated dev.claws.api.v1 messages. Nothing imports api.
 */
package dev.claws.api;

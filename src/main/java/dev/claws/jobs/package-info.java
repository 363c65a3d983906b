/**
 * Durable background jobs: {@link dev.claws.jobs.JobRunner} stores each job as a row, runs at most
 * claws.jobs.concurrency at once, publishes progress, cancels and recovers after restarts. A job is submitted as a
 * validated {@link dev.claws.jobs.JobSpec} (compression, recovery, evaluation, benchmark, study), stored as JSON and
 * turned into a {@link dev.claws.jobs.JobWork} by {@link dev.claws.jobs.JobWorks} when it starts; its results are
 * stored rows and a {@link dev.claws.jobs.JobResultData}. The compression-law study ({@link dev.claws.jobs.StudyWork})
 * runs a grid of compress / recover / evaluate / benchmark steps, reused by lineage across restarts, then fits the laws
 * ({@link dev.claws.law.StudyAnalysis}). Jobs never see the wire format.
 *
 * <p>May import: law (the study's fits), compress, train, eval, model (and model.io), store, config. Never api, serve
 * or report.
 */
package dev.claws.jobs;

package dev.claws.jobs;

/**
 * Turns a job's result into the document stored in job.result_json. Implemented by the API layer, which owns the
 * message format; called inside the transaction that stores the result, so the rows it references are visible.
 */
public interface JobResultEncoder {

    String encode(JobResultData result);
}

-- The validated request a job runs (dev.claws.jobs.JobSpec as JSON), stored at submission and read back when the job
-- starts, so the job runner never parses the wire request again. request_json keeps the request as submitted (shown
-- by GetJob). Rows stored before this version have no spec: the runner fails such a row with a message to submit it
-- again if it is still queued; their result_json keeps the older claws.v1.JobResult document, which GetJob still reads.
ALTER TABLE job ADD COLUMN spec_json VARCHAR(1000000);

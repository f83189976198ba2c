-- Retention (datastore.retention.*): the coordinator deletes, oldest first and a batch at a time, log
-- parts older than the logs retention and top-level jobs that ended longer ago than the jobs
-- retention. A job's end is the later of completed_at (COMPLETED, CANCELLED) and failed_at (FAILED);
-- created_at stands in for an ended job that has neither. Attached sub-jobs (parent_id set) are not
-- chosen by age: they go with their parent's tree.
CREATE INDEX task_log_parts_created_at ON twerk.task_log_parts (created_at);
CREATE INDEX jobs_ended_at ON twerk.jobs ((coalesce(greatest(completed_at, failed_at), created_at)))
  WHERE parent_id IS NULL AND state IN ('COMPLETED', 'FAILED', 'CANCELLED');

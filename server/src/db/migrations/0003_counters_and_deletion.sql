-- Counters that let the coordinator finish fan-outs and report progress without reading whole jobs:
-- a composite counts its failed children beside its completed ones (a composite that is not fail-fast
-- finishes when both add up to its children), and a job counts its leaf tasks created and finished.
ALTER TABLE twerk.tasks ADD COLUMN failures integer NOT NULL DEFAULT 0;
ALTER TABLE twerk.jobs ADD COLUMN leaves_total integer NOT NULL DEFAULT 0;
ALTER TABLE twerk.jobs ADD COLUMN leaves_done integer NOT NULL DEFAULT 0;

-- The task table is the work queue: a worker claims SCHEDULED tasks of its queue (highest priority,
-- then oldest) and holds a lease it renews while the task runs; a lease that runs out (the worker
-- died) puts the task back as a new attempt. A retry waits until run_after.
ALTER TABLE twerk.tasks ADD COLUMN run_after timestamptz;
ALTER TABLE twerk.tasks ADD COLUMN lease_expires_at timestamptz;
DROP INDEX twerk.tasks_active;
CREATE INDEX tasks_ready ON twerk.tasks (queue, priority DESC, scheduled_at, id) WHERE state = 'SCHEDULED';
CREATE INDEX tasks_leases ON twerk.tasks (lease_expires_at) WHERE state = 'RUNNING';

-- Jobs whose autoDelete time has come.
CREATE INDEX jobs_delete_at ON twerk.jobs (delete_at) WHERE delete_at IS NOT NULL;

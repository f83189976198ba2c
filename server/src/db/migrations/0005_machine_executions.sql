-- State-machine executions are jobs whose tasks are made as the machine reaches its Task states. Each
-- task, and each durable wait (a task of the private queue x-timers, which only coordinators complete,
-- when its run_after comes), carries the key the interpreter gives it, so that a replay of the
-- execution recognises what already ran.
ALTER TABLE twerk.tasks ADD COLUMN machine_key text;
CREATE UNIQUE INDEX tasks_machine_key ON twerk.tasks (job_id, machine_key) WHERE machine_key IS NOT NULL;
CREATE INDEX tasks_timers ON twerk.tasks (run_after) WHERE queue = 'x-timers' AND state = 'SCHEDULED';

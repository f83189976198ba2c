-- Webhooks (research/tork.md §2.16) through a durable outbox. Every statement that changes the state
-- or progress of a job or a task records what it changed, in its own transaction, whatever code path
-- ran it: statement-level triggers with transition tables, so a fan-out of thousands of tasks is one
-- trigger call, and a job without webhooks costs one look at its row. Coordinators expand the events
-- into one delivery per matching webhook and deliver them, with retries, in order per webhook.

-- Which kinds of webhook a job has, worked out once when the job is stored (the document never changes).
-- A webhook without an event is a job.StateChange one.
ALTER TABLE twerk.jobs ADD COLUMN job_webhooks boolean GENERATED ALWAYS AS
  (jsonb_path_exists(document, '$.webhooks[*] ? (!exists(@.event) || @.event starts with "job.")')) STORED;
ALTER TABLE twerk.jobs ADD COLUMN task_webhooks boolean GENERATED ALWAYS AS
  (jsonb_path_exists(document, '$.webhooks[*] ? (@.event starts with "task.")')) STORED;

-- What changed: a snapshot of the summary fields that change, taken in the transaction that changed
-- them (a job's fixed fields — name, inputs, tags — are read at expansion). task_id is null for a job
-- event; previous_state is null for a row just inserted. Expansion deletes the events it expanded.
CREATE TABLE twerk.webhook_events (
  id                bigserial PRIMARY KEY,
  job_id            text NOT NULL,
  task_id           text,
  previous_state    text,
  state             text NOT NULL,
  state_changed     boolean NOT NULL,
  progress_changed  boolean NOT NULL,
  snapshot          jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);

-- One call of one webhook: the id is the X-Twerk-Delivery header, the same on every attempt. Deliveries
-- of one webhook of one job go out in the order of their events (seq): a delivery waits while an
-- earlier one of its webhook is PENDING. Headers are kept as the templates the job gave (rendered at
-- each attempt, never stored rendered); the payload is the redacted summary, as JSON text so its keys
-- keep their order. A delivery is held by the process sending it until locked_until.
CREATE TABLE twerk.webhook_deliveries (
  id                text PRIMARY KEY,
  job_id            text NOT NULL,
  webhook           integer NOT NULL,
  seq               bigint NOT NULL,
  event             text NOT NULL,
  url               text NOT NULL,
  headers           jsonb,
  payload           text NOT NULL,
  state             text NOT NULL DEFAULT 'PENDING',
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  locked_until      timestamptz,
  last_status       integer,
  last_error        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
CREATE INDEX webhook_deliveries_due ON twerk.webhook_deliveries (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX webhook_deliveries_order ON twerk.webhook_deliveries (job_id, webhook, seq) WHERE state = 'PENDING';
CREATE INDEX webhook_deliveries_finished ON twerk.webhook_deliveries (finished_at) WHERE state <> 'PENDING';

CREATE FUNCTION twerk.job_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO twerk.webhook_events (job_id, previous_state, state, state_changed, progress_changed, snapshot)
    SELECT n.id, NULL, n.state, true, false,
      jsonb_build_object('state', n.state, 'position', n.position, 'taskCount', n.task_count, 'startedAt', n.started_at,
        'completedAt', n.completed_at, 'failedAt', n.failed_at, 'result', n.result, 'error', n.error, 'progress', n.progress)
    FROM new_rows n WHERE n.job_webhooks;
  ELSE
    INSERT INTO twerk.webhook_events (job_id, previous_state, state, state_changed, progress_changed, snapshot)
    SELECT n.id, o.state, n.state, n.state IS DISTINCT FROM o.state, n.progress IS DISTINCT FROM o.progress,
      jsonb_build_object('state', n.state, 'position', n.position, 'taskCount', n.task_count, 'startedAt', n.started_at,
        'completedAt', n.completed_at, 'failedAt', n.failed_at, 'result', n.result, 'error', n.error, 'progress', n.progress)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.job_webhooks AND (n.state IS DISTINCT FROM o.state OR n.progress IS DISTINCT FROM o.progress);
  END IF;
  IF FOUND THEN
    PERFORM pg_notify('twerk_webhooks', '');
  END IF;
  RETURN NULL;
END $$;

-- Tasks of the private x- queues (state-machine timers) are internal: no webhook ever sees them.
CREATE FUNCTION twerk.task_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Most statements move tasks of jobs without task webhooks: one look at their jobs, and done.
  IF NOT EXISTS (SELECT 1 FROM twerk.jobs j WHERE j.id IN (SELECT n.job_id FROM new_rows n) AND j.task_webhooks) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO twerk.webhook_events (job_id, task_id, previous_state, state, state_changed, progress_changed, snapshot)
    SELECT n.job_id, n.id, NULL, n.state, true, false,
      jsonb_build_object('id', n.id, 'jobId', n.job_id, 'position', n.position, 'name', n.name, 'description', n.spec->'description',
        'state', n.state, 'createdAt', n.created_at, 'scheduledAt', n.scheduled_at, 'startedAt', n.started_at, 'completedAt', n.completed_at,
        'error', n.error, 'result', n.result, 'exitCode', n.exit_code, 'progress', n.progress, 'var', n.spec->'var', 'tags', n.spec->'tags')
    FROM new_rows n JOIN twerk.jobs j ON j.id = n.job_id
    WHERE j.task_webhooks AND n.queue NOT LIKE 'x-%'
    ORDER BY n.position, n.parent_id NULLS FIRST, n.sequence;
  ELSE
    INSERT INTO twerk.webhook_events (job_id, task_id, previous_state, state, state_changed, progress_changed, snapshot)
    SELECT n.job_id, n.id, o.state, n.state, n.state IS DISTINCT FROM o.state, n.progress IS DISTINCT FROM o.progress,
      jsonb_build_object('id', n.id, 'jobId', n.job_id, 'position', n.position, 'name', n.name, 'description', n.spec->'description',
        'state', n.state, 'createdAt', n.created_at, 'scheduledAt', n.scheduled_at, 'startedAt', n.started_at, 'completedAt', n.completed_at,
        'error', n.error, 'result', n.result, 'exitCode', n.exit_code, 'progress', n.progress, 'var', n.spec->'var', 'tags', n.spec->'tags')
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN twerk.jobs j ON j.id = n.job_id
    WHERE j.task_webhooks AND n.queue NOT LIKE 'x-%' AND (n.state IS DISTINCT FROM o.state OR n.progress IS DISTINCT FROM o.progress)
    ORDER BY n.position, n.parent_id NULLS FIRST, n.sequence;
  END IF;
  IF FOUND THEN
    PERFORM pg_notify('twerk_webhooks', '');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER jobs_webhook_events_insert AFTER INSERT ON twerk.jobs
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION twerk.job_webhook_events();
CREATE TRIGGER jobs_webhook_events_update AFTER UPDATE ON twerk.jobs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION twerk.job_webhook_events();
CREATE TRIGGER tasks_webhook_events_insert AFTER INSERT ON twerk.tasks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION twerk.task_webhook_events();
CREATE TRIGGER tasks_webhook_events_update AFTER UPDATE ON twerk.tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION twerk.task_webhook_events();

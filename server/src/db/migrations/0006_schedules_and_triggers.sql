-- Scheduled jobs: a job document run on a cron schedule. `next_run_at` is the next tick to fire; the
-- scheduler takes due rows with SKIP LOCKED and advances `next_run_at` in the transaction that creates
-- the tick's job, so however many coordinators run, a tick fires once. Secrets are kept in their own
-- column, as on jobs, and copied intact into every job a tick starts.
CREATE TABLE twerk.scheduled_jobs (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  description   text,
  tags          text[] NOT NULL DEFAULT '{}',
  state         text NOT NULL,
  cron          text NOT NULL,
  timezone      text,
  -- The job document as submitted, without `inputs`, `secrets` (their own columns), `schedule` or `cron`.
  document      jsonb NOT NULL,
  inputs        jsonb NOT NULL DEFAULT '{}',
  secrets       jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text,
  next_run_at   timestamptz,
  last_run_at   timestamptz
);
CREATE INDEX scheduled_jobs_due ON twerk.scheduled_jobs (next_run_at) WHERE state = 'ACTIVE';
CREATE INDEX scheduled_jobs_created_at ON twerk.scheduled_jobs (created_at DESC, id);

-- The tick a scheduled job's instance was started for: one job per (schedule, tick), enforced here as
-- well as by the scheduler's locking.
ALTER TABLE twerk.jobs ADD COLUMN scheduled_for timestamptz;
CREATE UNIQUE INDEX jobs_schedule_tick ON twerk.jobs (schedule_id, scheduled_for) WHERE schedule_id IS NOT NULL;

-- Triggers: rules that start a job or a state machine when an event arrives, a webhook is called, a
-- cron tick comes, or someone fires them by hand. `definition` is the trigger as given (without its
-- secret); the columns beside it are what firing looks triggers up by.
CREATE TABLE twerk.triggers (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  enabled       boolean NOT NULL,
  event         text,
  hook_path     text UNIQUE,
  cron          text,
  timezone      text,
  definition    jsonb NOT NULL,
  -- The inbound webhook's shared secret (HMAC key or token).
  secret        text,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  next_run_at   timestamptz,
  last_fired_at timestamptz
);
CREATE INDEX triggers_event ON twerk.triggers (event) WHERE enabled AND event IS NOT NULL;
CREATE INDEX triggers_due ON twerk.triggers (next_run_at) WHERE enabled AND next_run_at IS NOT NULL;

-- Every time a trigger was asked to fire: the job it started, or why it did not. A delivery retried
-- with the same idempotency key finds its first firing here and starts nothing new.
CREATE TABLE twerk.trigger_firings (
  id              text PRIMARY KEY,
  trigger_id      text NOT NULL REFERENCES twerk.triggers (id) ON DELETE CASCADE,
  fired_at        timestamptz NOT NULL DEFAULT now(),
  source          text NOT NULL,
  job_id          text,
  reason          text,
  idempotency_key text
);
CREATE INDEX trigger_firings_trigger ON twerk.trigger_firings (trigger_id, fired_at DESC);
CREATE UNIQUE INDEX trigger_firings_idempotency ON twerk.trigger_firings (trigger_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

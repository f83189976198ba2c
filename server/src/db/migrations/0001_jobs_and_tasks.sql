-- Jobs, their task records and task logs (research/tork.md §6.2, with Twerk's fixes).
CREATE TABLE twerk.jobs (
  id            text PRIMARY KEY,
  parent_id     text,
  name          text NOT NULL,
  description   text,
  tags          text[] NOT NULL DEFAULT '{}',
  state         text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text,
  started_at    timestamptz,
  completed_at  timestamptz,
  failed_at     timestamptz,
  position      integer NOT NULL DEFAULT 0,
  task_count    integer NOT NULL DEFAULT 0,
  -- The job as submitted (tasks with their templates); secrets live only in `secrets`.
  document      jsonb NOT NULL,
  inputs        jsonb NOT NULL DEFAULT '{}',
  secrets       jsonb NOT NULL DEFAULT '{}',
  context       jsonb NOT NULL DEFAULT '{}',
  output        text,
  result        text,
  error         text,
  progress      double precision NOT NULL DEFAULT 0,
  schedule_id   text,
  delete_at     timestamptz,
  ts            tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('english', state), 'A') ||
                  setweight(to_tsvector('english', coalesce(name, '')), 'B') ||
                  setweight(to_tsvector('english', coalesce(description, '')), 'C')
                ) STORED
);
CREATE INDEX jobs_created_at ON twerk.jobs (created_at DESC);
CREATE INDEX jobs_state ON twerk.jobs (state);
CREATE INDEX jobs_tags ON twerk.jobs USING gin (tags);
CREATE INDEX jobs_ts ON twerk.jobs USING gin (ts);
CREATE INDEX jobs_parent ON twerk.jobs (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE twerk.tasks (
  id            text PRIMARY KEY,
  job_id        text NOT NULL REFERENCES twerk.jobs (id) ON DELETE CASCADE,
  parent_id     text,
  position      integer NOT NULL,
  name          text,
  state         text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  scheduled_at  timestamptz,
  started_at    timestamptz,
  completed_at  timestamptz,
  failed_at     timestamptz,
  -- The task with its templates evaluated, as the worker runs it.
  spec          jsonb NOT NULL,
  queue         text NOT NULL DEFAULT 'default',
  priority      integer NOT NULL DEFAULT 0,
  attempt       integer NOT NULL DEFAULT 1,
  node_id       text,
  result        text,
  error         text,
  exit_code     integer,
  progress      double precision NOT NULL DEFAULT 0
);
CREATE INDEX tasks_job ON twerk.tasks (job_id, position, created_at);
CREATE INDEX tasks_active ON twerk.tasks (state) WHERE state IN ('CREATED', 'PENDING', 'SCHEDULED', 'RUNNING');

CREATE TABLE twerk.task_log_parts (
  id            bigserial PRIMARY KEY,
  task_id       text NOT NULL REFERENCES twerk.tasks (id) ON DELETE CASCADE,
  number        integer NOT NULL,
  contents      text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  ts            tsvector GENERATED ALWAYS AS (to_tsvector('english', contents)) STORED,
  UNIQUE (task_id, number)
);
CREATE INDEX task_log_parts_ts ON twerk.task_log_parts USING gin (ts);

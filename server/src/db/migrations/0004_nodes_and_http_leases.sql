-- Nodes: every coordinator and native worker process registers and heartbeats; HTTP workers register
-- through the worker protocol (kind 'http', their labels are the queues they serve).
CREATE TABLE twerk.nodes (
  id                 text PRIMARY KEY,
  name               text NOT NULL,
  kind               text NOT NULL,
  hostname           text,
  version            text NOT NULL,
  queues             text[] NOT NULL DEFAULT '{}',
  started_at         timestamptz NOT NULL DEFAULT now(),
  last_heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  stopped_at         timestamptz,
  cpu_percent        double precision
);
CREATE INDEX nodes_heartbeat ON twerk.nodes (last_heartbeat_at);

-- HTTP workers hold a claim by its lease id (in the URL of every call) for the TTL they asked for,
-- renewed by that TTL. Tasks carry the outputs their workers set (`::set-output k=v`).
ALTER TABLE twerk.tasks ADD COLUMN lease_id text;
ALTER TABLE twerk.tasks ADD COLUMN lease_ttl_ms integer;
ALTER TABLE twerk.tasks ADD COLUMN outputs jsonb;
CREATE UNIQUE INDEX tasks_lease ON twerk.tasks (lease_id) WHERE lease_id IS NOT NULL;
CREATE INDEX tasks_node ON twerk.tasks (node_id) WHERE state = 'RUNNING';

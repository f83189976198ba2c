/**
 * SQL for nodes: coordinator and worker processes (and HTTP workers) with their heartbeats. Status is
 * judged from the heartbeat's age on the database's clock: UP while fresh, OFFLINE when silent, DOWN
 * once stopped cleanly; nodes silent for longer than the listing window are left out.
 */
import type { Queryable } from '../db/database.ts';

export type NodeKind = 'standalone' | 'coordinator' | 'worker' | 'http';
export type NodeStatus = 'UP' | 'DOWN' | 'OFFLINE';

export interface NodeRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: NodeKind;
  readonly hostname: string | null;
  readonly version: string;
  readonly queues: string[];
  readonly startedAt: Date;
  readonly lastHeartbeatAt: Date;
  readonly cpuPercent: number | null;
  readonly status: NodeStatus;
  /** Tasks RUNNING on it now. */
  readonly taskCount: number;
  /** One of the tasks it runs (HTTP workers run one at a time). */
  readonly currentTask: string | null;
}

/** A node is UP while it heartbeated within this long. */
export const NODE_FRESH_MS = 30_000;
/** Nodes silent for longer than this are not listed. */
export const NODE_LISTED_MS = 5 * 60_000;

/** The heartbeat is fresh: `$1` is NODE_FRESH_MS. */
const FRESH = `n.last_heartbeat_at >= now() - $1::double precision * interval '1 millisecond'`;
/** What makes a node UP, in GET /nodes and in /metrics alike. */
const IS_UP = `n.stopped_at IS NULL AND ${FRESH}`;

const SELECT = `SELECT n.id, n.name, n.kind, n.hostname, n.version, n.queues, n.started_at AS "startedAt", n.last_heartbeat_at AS "lastHeartbeatAt",
    n.cpu_percent AS "cpuPercent",
    CASE WHEN n.stopped_at IS NOT NULL THEN 'DOWN' WHEN ${FRESH} THEN 'UP' ELSE 'OFFLINE' END AS status,
    (SELECT count(*)::int FROM twerk.tasks t WHERE t.node_id = n.id AND t.state = 'RUNNING') AS "taskCount",
    (SELECT t.id FROM twerk.tasks t WHERE t.node_id = n.id AND t.state = 'RUNNING' ORDER BY t.started_at DESC LIMIT 1) AS "currentTask"
  FROM twerk.nodes n`;

export interface NodeRegistration {
  readonly id: string;
  readonly name: string;
  readonly kind: NodeKind;
  readonly hostname?: string;
  readonly version: string;
  readonly queues: readonly string[];
}

/** Registers a node, or updates one registering again (its start is kept, its stop forgotten). */
export async function registerNode(q: Queryable, node: NodeRegistration): Promise<void> {
  await q.query(
    `INSERT INTO twerk.nodes (id, name, kind, hostname, version, queues) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, hostname = $4, version = $5, queues = $6, last_heartbeat_at = now(), stopped_at = NULL`,
    [node.id, node.name, node.kind, node.hostname ?? null, node.version, node.queues],
  );
}

/** Marks a node alive; answers whether it is registered. */
export async function heartbeatNode(q: Queryable, id: string, cpuPercent?: number): Promise<boolean> {
  const result = await q.query('UPDATE twerk.nodes SET last_heartbeat_at = now(), stopped_at = NULL, cpu_percent = coalesce($2, cpu_percent) WHERE id = $1', [id, cpuPercent ?? null]);
  return result.rowCount > 0;
}

export async function stopNode(q: Queryable, id: string): Promise<void> {
  await q.query('UPDATE twerk.nodes SET stopped_at = now() WHERE id = $1', [id]);
}

/** Nodes heard from within the listing window, by name; `kinds` narrows the list. */
export async function listNodes(q: Queryable, kinds?: readonly NodeKind[]): Promise<NodeRecord[]> {
  const rows = await q.query<NodeRecord>(
    `${SELECT} WHERE n.last_heartbeat_at >= now() - $2::double precision * interval '1 millisecond' AND ($3::text[] IS NULL OR n.kind = ANY($3::text[])) ORDER BY n.name, n.id`,
    [NODE_FRESH_MS, NODE_LISTED_MS, kinds ?? null],
  );
  return rows.rows;
}

export async function getNode(q: Queryable, id: string): Promise<NodeRecord | undefined> {
  return (await q.query<NodeRecord>(`${SELECT} WHERE n.id = $2`, [NODE_FRESH_MS, id])).rows[0];
}

/** The UP nodes taken together: what /metrics reports of them. */
export interface OnlineNodes {
  readonly online: number;
  /** The mean CPU use of those that report one; 0 when none do. */
  readonly cpuPercent: number;
  /** The work queues they serve, by name. */
  readonly queues: string[];
}

export async function onlineNodes(q: Queryable): Promise<OnlineNodes> {
  const rows = await q.query<OnlineNodes>(
    `SELECT count(*)::int AS online, coalesce(avg(n.cpu_percent), 0)::double precision AS "cpuPercent",
       (SELECT coalesce(array_agg(DISTINCT queue ORDER BY queue), '{}') FROM twerk.nodes n, unnest(n.queues) AS queue WHERE ${IS_UP}) AS queues
     FROM twerk.nodes n WHERE ${IS_UP}`,
    [NODE_FRESH_MS],
  );
  return rows.rows[0]!;
}

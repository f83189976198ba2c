/**
 * The cluster as /metrics reports it, read from the database at each request: every coordinator
 * sharing the database answers alike, whichever one is scraped.
 */
import type { Queryable } from '../db/database.ts';
import { countJobsByState, type JobState } from '../datastore/jobs.ts';
import { onlineNodes, type OnlineNodes } from '../datastore/nodes.ts';
import { countActiveTasks, queueCounts, type ActiveTaskState, type QueueCounts } from '../datastore/tasks.ts';

export interface ClusterSnapshot {
  /** Jobs by state, sub-jobs included. */
  readonly jobs: Partial<Record<JobState, number>>;
  /** Active tasks of RUNNING jobs, by state. */
  readonly tasks: Partial<Record<ActiveTaskState, number>>;
  /** Work queues with tasks waiting (size) or running (active); never a private `x-` queue. */
  readonly queues: readonly QueueCounts[];
  /** The nodes GET /nodes calls UP. */
  readonly nodes: OnlineNodes;
}

export async function readSnapshot(q: Queryable): Promise<ClusterSnapshot> {
  const [jobs, tasks, queues, nodes] = await Promise.all([countJobsByState(q), countActiveTasks(q), queueCounts(q), onlineNodes(q)]);
  return { jobs, tasks, queues, nodes };
}

/** Tork's JSON: running jobs, running tasks of running jobs, online nodes and their mean CPU use. */
export function torkMetrics(snapshot: ClusterSnapshot) {
  return {
    jobs: { running: snapshot.jobs.RUNNING ?? 0 },
    tasks: { running: snapshot.tasks.RUNNING ?? 0 },
    nodes: { online: snapshot.nodes.online, cpuPercent: snapshot.nodes.cpuPercent },
  };
}

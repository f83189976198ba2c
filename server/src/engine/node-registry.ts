/**
 * This process as a node: registered at start, heartbeating every few seconds with its CPU use (its
 * share of the machine since the last beat), and marked stopped on a clean shutdown. A failed beat
 * (the database away) is retried at the next one.
 */
import { cpus, hostname } from 'node:os';
import type { Database } from '../db/database.ts';
import { heartbeatNode, registerNode, stopNode, type NodeRegistration } from '../datastore/nodes.ts';

export const NODE_HEARTBEAT_MS = 5_000;

export interface NodeRegistry {
  stop(): Promise<void>;
}

export async function registerThisNode(db: Database, node: Omit<NodeRegistration, 'hostname'>, onError: (error: unknown) => void, intervalMs = NODE_HEARTBEAT_MS): Promise<NodeRegistry> {
  const registration = { ...node, hostname: hostname() };
  await registerNode(db, registration);
  const cores = Math.max(1, cpus().length);
  let lastUsage = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  const timer = setInterval(() => {
    const usage = process.cpuUsage(lastUsage);
    const now = process.hrtime.bigint();
    const elapsedMicros = Number(now - lastAt) / 1_000;
    lastUsage = process.cpuUsage();
    lastAt = now;
    const percent = elapsedMicros > 0 ? Math.round(((usage.user + usage.system) / (elapsedMicros * cores)) * 10_000) / 100 : 0;
    heartbeatNode(db, node.id, percent)
      .then((known) => (known ? undefined : registerNode(db, registration)))
      .catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await stopNode(db, node.id).catch(onError);
    },
  };
}

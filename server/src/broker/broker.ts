/**
 * pg-boss as the broker (DESIGN "pg-boss is the broker") for the coordinators' queues — job commands
 * and worker reports — on the same database as the datastore: messages are sent inside the
 * transaction that makes the state change they announce, so both commit or neither does. Consumers
 * wake on LISTEN/NOTIFY and fetch in batches; polling is only a backstop.
 *
 * Tasks do not travel through pg-boss: their records in twerk.tasks are the work queue (see
 * datastore/tasks.ts claimReady). A pg-boss message per task doubled every task's writes, and
 * pg-boss cannot fence attempts; a claim on the task row both takes the task and leases it.
 *
 * Queues are created at start, outside transactions: pg-boss creates them on its own connection,
 * which on embedded PGlite would wait behind an open transaction for ever.
 */
import type { PGlite } from '@electric-sql/pglite';
import { fromPglite, PgBoss, type Job, type JobInsert } from 'pg-boss';
import type { Database, Queryable } from '../db/database.ts';

export const BROKER_SCHEMA = 'pgboss';

export interface BrokerOptions {
  /** PostgreSQL connection string, or the PGlite instance the datastore uses. */
  readonly connection: { readonly url: string } | { readonly pglite: PGlite };
}

export interface QueueOptions {
  readonly retryLimit?: number;
  readonly retryDelay?: number;
  readonly expireInSeconds?: number;
}

export interface Broker {
  /** Creates the queue if needed (idempotent). */
  ensureQueue(name: string, options?: QueueOptions): Promise<void>;
  /** Sends messages to one queue within `tx` (in one statement per thousand): they exist only if the transaction commits. */
  sendMany(tx: Queryable, queue: string, messages: readonly JobInsert[]): Promise<void>;
  /** Consumes a queue: `handler` gets batches; a batch is completed when it resolves, retried when it throws. */
  consume<T extends object>(queue: string, options: { batchSize: number; concurrency?: number }, handler: (jobs: Job<T>[]) => Promise<void>): Promise<string>;
  queueSize(queue: string): Promise<number>;
  stop(): Promise<void>;
  readonly boss: PgBoss;
}

function asPgBossDb(tx: Queryable) {
  return {
    async executeSql(text: string, values?: unknown[]) {
      return tx.query(text, values ?? []);
    },
  };
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  // The supervisor finds messages whose consumer stopped heartbeating (a killed process) and retries them;
  // checking every few seconds bounds how long a crash can delay a job.
  const common = { schema: BROKER_SCHEMA, useListenNotify: true, superviseIntervalSeconds: 5, monitorIntervalSeconds: 30 } as const;
  const boss =
    'url' in options.connection
      ? new PgBoss({ ...common, connectionString: options.connection.url, max: 5 })
      : new PgBoss({ ...common, backend: 'pglite', db: fromPglite(options.connection.pglite) });
  // pg-boss reports background errors as events; without a listener they would crash the process.
  boss.on('error', () => {});
  await boss.start();
  const known = new Set<string>();
  const pending = new Map<string, Promise<void>>();
  return {
    boss,
    ensureQueue(name, queueOptions = {}) {
      if (known.has(name)) return Promise.resolve();
      let creating = pending.get(name);
      if (creating === undefined) {
        creating = (async () => {
          const existing = await boss.getQueue(name);
          if (!existing) {
            // Consumers heartbeat while they hold a message, so one held by a dead process is retried after
            // `heartbeatSeconds` instead of waiting out `expireInSeconds`.
            await boss.createQueue(name, {
              notify: true,
              heartbeatSeconds: 10,
              retryLimit: queueOptions.retryLimit ?? 20,
              retryDelay: queueOptions.retryDelay ?? 1,
              retryBackoff: true,
              retryDelayMax: 60,
              expireInSeconds: queueOptions.expireInSeconds ?? 300,
            });
          }
          known.add(name);
        })().finally(() => pending.delete(name));
        pending.set(name, creating);
      }
      return creating;
    },
    async sendMany(tx, queue, messages) {
      for (let start = 0; start < messages.length; start += 1000) {
        await boss.insert(queue, messages.slice(start, start + 1000) as JobInsert[], { db: asPgBossDb(tx) });
      }
    },
    async consume<T extends object>(queue: string, consumeOptions: { batchSize: number; concurrency?: number }, handler: (jobs: Job<T>[]) => Promise<void>) {
      // NOTIFY wakes consumers for new messages; delayed messages and redeliveries do not notify, so the
      // backstop poll decides how late they can start: keep it short.
      return boss.work<T>(
        queue,
        { batchSize: consumeOptions.batchSize, localConcurrency: consumeOptions.concurrency ?? 1, burstWhenBatchFull: true, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 },
        handler,
      );
    },
    async queueSize(queue) {
      const stats = await boss.getQueue(queue);
      return stats ? (stats.queuedCount ?? 0) : 0;
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 5_000 });
    },
  };
}

export type { Database };

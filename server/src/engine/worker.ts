/**
 * The native worker: claims tasks from its work queues (a slot per task, per queue) with a lease it
 * renews while they run, runs them with a runtime, ships their logs, and reports how they ended
 * through a group-committing reporter. One poll per worker (not per task) stops runs whose task was
 * cancelled or given away.
 */
import { CHANNELS, QUEUES, type TaskReport } from '../coordinator/messages.ts';
import type { Broker } from '../broker/broker.ts';
import type { Database, Unlisten } from '../db/database.ts';
import { appendLogPart } from '../datastore/logs.ts';
import { releaseTasks, settledAmong, type ClaimedTask } from '../datastore/tasks.ts';
import { Reporter } from './reporter.ts';
import type { RunOutcome, TaskRunner } from './runner.ts';
import { WorkConsumer } from './work-consumer.ts';

/** Where reports go: to the coordinator in this process, or through the broker to one elsewhere. */
export type ReportSink = (reports: readonly TaskReport[]) => Promise<void>;

export interface WorkerOptions {
  readonly db: Database;
  readonly broker: Broker;
  readonly runner: TaskRunner;
  readonly nodeId: string;
  /** Work queue name → how many tasks of it run at once. */
  readonly queues: Readonly<Record<string, number>>;
  readonly cancelPollMs?: number;
  /** How long a claimed task stays this worker's without renewal (renewed every half of it). */
  readonly leaseMs?: number;
  /** Defaults to sending reports to the coordinators' queue. */
  readonly sink?: ReportSink;
  readonly onError?: (error: unknown) => void;
}

export interface Worker {
  stop(): Promise<void>;
}

export const DEFAULT_LEASE_MS = 10_000;

/** Sends reports to the coordinators' queue. */
export function brokerSink(db: Database, broker: Broker): ReportSink {
  return (reports) => db.transaction((tx) => broker.sendMany(tx, QUEUES.tasks, reports.map((data) => ({ data }))));
}

function reportOf(taskId: string, outcome: Exclude<RunOutcome, { status: 'cancelled' }>): TaskReport {
  const at = Date.now();
  switch (outcome.status) {
    case 'completed':
      return { type: 'completed', taskId, result: outcome.result, at };
    case 'failed':
      return { type: 'failed', taskId, error: outcome.error, exitCode: outcome.exitCode ?? null, at, ...(outcome.result !== undefined ? { result: outcome.result } : {}) };
    case 'timed_out':
      return { type: 'failed', taskId, error: outcome.error, at };
  }
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { db, broker, runner, nodeId } = options;
  const onError = options.onError ?? (() => {});
  const reporter = new Reporter<TaskReport>({ onError, write: options.sink ?? brokerSink(db, broker) });
  const running = new Map<string, AbortController>();

  async function run(task: ClaimedTask): Promise<void> {
    const controller = new AbortController();
    running.set(task.id, controller);
    let outcome: RunOutcome;
    try {
      outcome = await runner.run(
        { taskId: task.id, jobId: task.jobId, spec: task.spec },
        {
          onLog: (chunk) => appendLogPart(db, task.id, chunk.data).catch(onError),
          onProgress: (progress) => void reporter.submit({ type: 'progress', taskId: task.id, progress }).catch(onError),
        },
        controller.signal,
      );
    } finally {
      running.delete(task.id);
    }
    // A run stopped because its task was cancelled (or given to another attempt, or this worker is
    // stopping) has nothing to report: the record already says what happened, or the lease runs out.
    if (outcome.status === 'cancelled') return;
    await reporter.submit(reportOf(task.id, outcome));
  }

  const consumers = new Map<string, WorkConsumer>();
  for (const [queue, concurrency] of Object.entries(options.queues)) {
    consumers.set(
      queue,
      new WorkConsumer({
        db,
        queue,
        concurrency,
        nodeId,
        leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
        onError,
        onBatch: (tasks) => tasks.map(run),
        onLost: (taskId) => running.get(taskId)?.abort(),
      }),
    );
  }
  const unlisten: Unlisten = await db.listen(
    CHANNELS.work,
    (queue) => consumers.get(queue)?.notify(),
    () => {
      for (const consumer of consumers.values()) consumer.notify();
    },
  );

  const watch = setInterval(() => {
    if (running.size === 0) return;
    settledAmong(db, [...running.keys()]).then(
      (settled) => {
        for (const id of settled) running.get(id)?.abort();
      },
      onError,
    );
  }, options.cancelPollMs ?? 500);

  return {
    async stop() {
      clearInterval(watch);
      await unlisten().catch(onError);
      const stopping = [...consumers.values()].map((consumer) => consumer.stop());
      // The runs this stop interrupts go back to their queue, to run again here after a restart or
      // on another worker now.
      const interrupted = [...running.keys()];
      for (const controller of running.values()) controller.abort();
      await Promise.all(stopping);
      // Let the aborted runs return and what is queued be written before the database goes.
      const deadline = Date.now() + 5_000;
      while (running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await reporter.stop();
      await releaseTasks(db, interrupted, nodeId).catch(onError);
    },
  };
}

/**
 * The native worker loop: takes tasks from work queues, runs them with a runtime, ships their logs
 * and reports how they ended. A task found already settled (a redelivery after its report) is skipped;
 * a task cancelled while running is noticed by polling its state and stopped.
 */
import type { Broker } from '../broker/broker.ts';
import { QUEUES, type TaskReport, type WorkItem } from '../coordinator/messages.ts';
import type { Database } from '../db/database.ts';
import { appendLogPart } from '../datastore/logs.ts';
import { getTask, markRunning } from '../datastore/tasks.ts';
import type { TaskRunner } from './runner.ts';

export interface WorkerOptions {
  readonly db: Database;
  readonly broker: Broker;
  readonly runner: TaskRunner;
  readonly nodeId: string;
  /** Work queue name → how many tasks of it run at once. */
  readonly queues: Readonly<Record<string, number>>;
  readonly cancelPollMs?: number;
  /**
   * When the coordinator runs in this process, reports go straight to its handler — the same
   * transaction and guards as through the queue, without a message round trip per report.
   */
  readonly handleReport?: (report: TaskReport) => Promise<void>;
}

export interface Worker {
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { db, broker, runner, nodeId } = options;
  const report = options.handleReport ?? ((message: TaskReport) => db.transaction((tx) => broker.send(tx, QUEUES.tasks, message)));
  const running = new Set<AbortController>();

  async function runOne(item: WorkItem): Promise<void> {
    const task = await getTask(db, item.taskId);
    if (task === undefined || (task.state !== 'SCHEDULED' && task.state !== 'RUNNING')) return;
    // Marking the task RUNNING is a guarded, idempotent update the worker can make itself; it saves the
    // coordinator a message round trip per task (the 'started' report remains for remote workers).
    await markRunning(db, task.id, nodeId);
    const controller = new AbortController();
    running.add(controller);
    const watch = setInterval(() => {
      void getTask(db, task.id).then(
        (current) => {
          if (current === undefined || current.state === 'CANCELLED') controller.abort();
        },
        () => {},
      );
    }, options.cancelPollMs ?? 500);
    try {
      const outcome = await runner.run(
        { taskId: task.id, jobId: task.jobId, spec: task.spec },
        {
          onLog: (chunk) => appendLogPart(db, task.id, chunk.data),
          onProgress: (progress) => report({ type: 'progress', taskId: task.id, progress }),
        },
        controller.signal,
      );
      switch (outcome.status) {
        case 'completed':
          await report({ type: 'completed', taskId: task.id, result: outcome.result });
          break;
        case 'failed':
          await report({ type: 'failed', taskId: task.id, error: outcome.error, exitCode: outcome.exitCode ?? null, ...(outcome.result !== undefined ? { result: outcome.result } : {}) });
          break;
        case 'timed_out':
          await report({ type: 'failed', taskId: task.id, error: outcome.error });
          break;
        case 'cancelled':
          break; // the task is already CANCELLED; nothing to report
      }
    } finally {
      clearInterval(watch);
      running.delete(controller);
    }
  }

  const queueNames = Object.keys(options.queues).map((queue) => QUEUES.work(queue));
  for (const [queue, concurrency] of Object.entries(options.queues)) {
    const name = QUEUES.work(queue);
    await broker.ensureQueue(name, { retryLimit: 5, expireInSeconds: 24 * 60 * 60 });
    // Batches of up to `concurrency` tasks run side by side; a full batch makes pg-boss fetch the next at
    // once (burst) instead of waiting for a wake-up, which a backlog (a fan-out) would not send again.
    await broker.consume<WorkItem>(name, { batchSize: concurrency, concurrency: 1 }, async (jobs) => {
      await Promise.all(jobs.map((job) => runOne(job.data)));
    });
  }
  return {
    async stop() {
      await Promise.all(queueNames.map((name) => broker.stopConsuming(name)));
      for (const controller of running) controller.abort();
    },
  };
}

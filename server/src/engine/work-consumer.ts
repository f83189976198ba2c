/**
 * Claims tasks from one work queue for a worker with `concurrency` slots. It claims as many as it has
 * free slots, in one statement, hands them over as a batch, and claims again when slots free up and
 * more may be ready: after a wake-up for the queue, after a claim that came back full, or on the
 * backstop poll (a retry becoming due sends no wake-up). A long task holds one slot, never a batch.
 * The leases of the tasks it holds are renewed while they run; a task whose lease this worker lost
 * (it was away too long, and the task was given to another attempt) is reported through `onLost`.
 */
import type { Database } from '../db/database.ts';
import { claimReady, releaseTasks, renewLeases, type ClaimedTask } from '../datastore/tasks.ts';

export interface WorkConsumerOptions {
  readonly db: Database;
  readonly queue: string;
  readonly concurrency: number;
  readonly nodeId: string;
  /** Starts a batch; each promise settles when its task's slot is free again. */
  readonly onBatch: (tasks: readonly ClaimedTask[]) => readonly Promise<unknown>[];
  readonly onLost: (taskId: string) => void;
  readonly onError: (error: unknown) => void;
  /** How long a claim lasts without renewal; renewed every half of it, so a dead worker is noticed within two renewals (plus the sweep). */
  readonly leaseMs: number;
  /** The backstop poll. */
  readonly pollMs?: number;
  /** The most tasks one claim takes. */
  readonly maxBatch?: number;
}

export class WorkConsumer {
  private readonly options: WorkConsumerOptions;
  private readonly held = new Set<string>();
  private stopped = false;
  /** Whether a claim may find something: set by a wake-up, a full claim, a poll tick. */
  private maybeMore = true;
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;
  private readonly renewal: NodeJS.Timeout;

  constructor(options: WorkConsumerOptions) {
    this.options = options;
    this.loop = this.run();
    this.renewal = setInterval(() => void this.renew(), Math.max(50, Math.floor(options.leaseMs / 2)));
  }

  /** Tasks became ready (or may have): claim as soon as a slot is free. */
  notify(): void {
    this.maybeMore = true;
    this.wake?.();
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const { db, nodeId, leaseMs, onLost, onError } = this.options;
    const ids = [...this.held];
    try {
      const kept = new Set(await renewLeases(db, ids, nodeId, leaseMs));
      for (const id of ids) if (!kept.has(id) && this.held.has(id)) onLost(id);
    } catch (error) {
      onError(error);
    }
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(true);
      };
    });
  }

  private async run(): Promise<void> {
    const { db, queue, concurrency, nodeId, leaseMs, onBatch, onError } = this.options;
    const maxBatch = this.options.maxBatch ?? 100;
    while (!this.stopped) {
      const free = concurrency - this.held.size;
      if (free > 0 && this.maybeMore) {
        this.maybeMore = false;
        const limit = Math.min(free, maxBatch);
        let tasks: ClaimedTask[];
        try {
          tasks = await claimReady(db, { queues: [queue], limit, nodeId, leaseMs });
        } catch (error) {
          onError(error);
          this.maybeMore = true;
          await this.sleep(1_000);
          continue;
        }
        if (this.stopped) {
          // Claimed while stopping: give them back rather than start them.
          await releaseTasks(db, tasks.map((task) => task.id), nodeId).catch(onError);
          break;
        }
        if (tasks.length === limit) this.maybeMore = true;
        if (tasks.length === 0) continue;
        for (const task of tasks) this.held.add(task.id);
        onBatch(tasks).forEach((done, index) => {
          const id = tasks[index]!.id;
          void done.catch(onError).finally(() => {
            this.held.delete(id);
            this.wake?.();
          });
        });
        continue;
      }
      const woken = await this.sleep(this.options.pollMs ?? 1_000);
      if (!woken) this.maybeMore = true;
    }
  }

  /** Stops claiming; the tasks held keep their slots until their runs settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    clearInterval(this.renewal);
  }
}

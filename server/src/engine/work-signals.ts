/**
 * Wake-ups for claims that wait (an HTTP worker's long poll): the coordinator NOTIFYs `twerk_work`
 * with the queue's name when tasks become ready on it, and a waiter for that queue wakes. A waiter
 * also wakes on a gap in notifications (reconnection) and at its deadline, then simply claims again,
 * so a lost notification costs at most the rest of the wait, never the task.
 */
import { CHANNELS } from '../coordinator/messages.ts';
import type { Database, Unlisten } from '../db/database.ts';

interface Waiter {
  readonly queues: ReadonlySet<string>;
  wake(): void;
}

export class WorkSignals {
  private readonly waiters = new Set<Waiter>();
  private unlisten: Unlisten | undefined;

  static async start(db: Database): Promise<WorkSignals> {
    const signals = new WorkSignals();
    signals.unlisten = await db.listen(
      CHANNELS.work,
      (queue) => {
        for (const waiter of signals.waiters) if (waiter.queues.has(queue)) waiter.wake();
      },
      () => {
        for (const waiter of signals.waiters) waiter.wake();
      },
    );
    return signals;
  }

  /** Resolves when one of `queues` got ready tasks, after `timeoutMs`, or when `signal` aborts. */
  wait(queues: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { queues: new Set(queues), wake: done };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done);
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    for (const waiter of this.waiters) waiter.wake();
    await this.unlisten?.();
  }
}

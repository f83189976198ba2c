/**
 * A shell runtime that spawns from a small sidecar process (see sidecar-main.ts), with the same
 * contract as runShellTask: hooks called in order, the outcome after the last log chunk was handled.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ShellRuntimeOptions, ShellTask, TaskHooks, TaskOutcome } from './shell.ts';

type Event =
  | { type: 'log'; id: number; chunk: { stream: 'stdout' | 'stderr'; data: string } }
  | { type: 'progress'; id: number; percent: number }
  | { type: 'started'; id: number; pid: number }
  | { type: 'done'; id: number; outcome: TaskOutcome };

interface Pending {
  readonly hooks: TaskHooks;
  /** Hook calls chained in arrival order, so the outcome waits for the last of them. */
  chain: Promise<void>;
  resolve(outcome: TaskOutcome): void;
}

export class ShellSidecar {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (event: Event) => this.onEvent(event));
    child.on('exit', () => {
      this.exited = true;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.resolve({ status: 'failed', exitCode: null, error: 'the task runner process exited while the task was running' });
      }
    });
  }

  static start(): ShellSidecar {
    const child = fork(join(import.meta.dirname, 'sidecar-main.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    return new ShellSidecar(child);
  }

  private onEvent(event: Event): void {
    const pending = this.pending.get(event.id);
    if (pending === undefined) return;
    const { hooks } = pending;
    switch (event.type) {
      case 'log':
        pending.chain = pending.chain.then(() => hooks.onLog?.(event.chunk)).catch(() => {});
        return;
      case 'progress':
        pending.chain = pending.chain.then(() => hooks.onProgress?.(event.percent)).catch(() => {});
        return;
      case 'started':
        hooks.onStarted?.(event.pid);
        return;
      case 'done':
        this.pending.delete(event.id);
        void pending.chain.then(() => pending.resolve(event.outcome));
        return;
    }
  }

  run(task: ShellTask, options: ShellRuntimeOptions, hooks: TaskHooks = {}, signal?: AbortSignal): Promise<TaskOutcome> {
    if (this.exited) return Promise.resolve({ status: 'failed', exitCode: null, error: 'the task runner process is not running' });
    if (signal?.aborted) return Promise.resolve({ status: 'cancelled' });
    const id = this.nextId++;
    return new Promise<TaskOutcome>((resolve) => {
      this.pending.set(id, { hooks, chain: Promise.resolve(), resolve });
      signal?.addEventListener('abort', () => this.child.send({ type: 'cancel', id }), { once: true });
      this.child.send({ type: 'run', id, task, options });
    });
  }

  /** Stops the sidecar; tasks still running are stopped by it. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }
}

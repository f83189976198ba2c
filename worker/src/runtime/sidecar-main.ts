/**
 * The spawner sidecar's process: runs shell tasks on behalf of its parent. Forking a process costs time
 * in proportion to the parent's memory (about 20 ms from a 450 MiB server against 2 ms from a small
 * process), so a server with an embedded database spawns its tasks from here instead.
 */
import { runShellTask, type ShellRuntimeOptions, type ShellTask } from './shell.ts';

type Request = { type: 'run'; id: number; task: ShellTask; options: ShellRuntimeOptions } | { type: 'cancel'; id: number };

const running = new Map<number, AbortController>();
let stopping = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
const groups = new Map<number, number>();
const send = (message: object): void => {
  if (process.connected) process.send?.(message);
};

process.on('message', (request: Request) => {
  if (request.type === 'cancel') {
    running.get(request.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(request.id, controller);
  const { id } = request;
  void runShellTask(
    request.task,
    request.options,
    {
      onLog: (chunk) => send({ type: 'log', id, chunk }),
      onProgress: (percent) => send({ type: 'progress', id, percent }),
      onStarted: (pid) => {
        groups.set(id, pid);
        // Started while the parent was going away: it is stopped with the rest.
        if (stopping) {
          killGroup(pid);
          controller.abort();
          return;
        }
        send({ type: 'started', id, pid });
      },
    },
    controller.signal,
  ).then(
    (outcome) => send({ type: 'done', id, outcome }),
    (error: unknown) => send({ type: 'done', id, outcome: { status: 'failed', exitCode: null, error: `the task runner failed: ${String(error)}` } }),
  ).finally(() => {
    running.delete(id);
    groups.delete(id);
  });
});

// The parent is gone (stopped or killed): stop every task rather than leave them running unattended.
// A message sent just as the channel closes fails with EPIPE on `process` ('error'), possibly before
// 'disconnect' arrives: that means the same, and must not crash this process before it has stopped
// its tasks.
const stopAll = (): void => {
  if (stopping) return;
  stopping = true;
  // Kill the process groups outright as well as aborting: the parent may be gone for good.
  for (const pid of groups.values()) killGroup(pid);
  for (const controller of running.values()) controller.abort();
  const exitWhenIdle = setInterval(() => {
    if (running.size === 0) process.exit(0);
  }, 50);
  exitWhenIdle.unref();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on('disconnect', stopAll);
process.on('error', stopAll);

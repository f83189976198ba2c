/** The shell runtime (from @twerk/worker) behind the worker loop's TaskRunner interface. */
import type { TaskDocument } from '@twerk/contract';
import { runShellTask, type ShellRuntimeOptions, type ShellSidecar } from '@twerk/worker';
import { timeoutMs } from '../coordinator/plan.ts';
import type { TaskRunner } from './runner.ts';

type AuxTask = NonNullable<TaskDocument['pre']>[number];

/** A pre/post task as the shell runtime runs it (the image is a container concern, ignored here). Mounts are the main task's, shared by its pre and post tasks. */
function step(task: AuxTask) {
  return {
    name: task.name,
    ...(task.run !== undefined ? { run: task.run } : {}),
    ...(task.cmd !== undefined ? { cmd: task.cmd } : {}),
    ...(task.env !== undefined ? { env: task.env } : {}),
    ...(task.files !== undefined ? { files: task.files } : {}),
  };
}

/** With a sidecar, tasks are spawned from that small process (cheap forks) instead of this one. */
export function shellRunner(options: ShellRuntimeOptions, sidecar?: ShellSidecar): TaskRunner {
  const run = sidecar ? sidecar.run.bind(sidecar) : runShellTask;
  return {
    async run(task, hooks, signal) {
      const { spec } = task;
      const timeout = timeoutMs(spec);
      const outcome = await run(
        {
          taskId: task.taskId,
          jobId: task.jobId,
          ...(spec.run !== undefined ? { run: spec.run } : {}),
          ...(spec.cmd !== undefined ? { cmd: spec.cmd } : {}),
          ...(spec.env !== undefined ? { env: spec.env } : {}),
          ...(spec.files !== undefined ? { files: spec.files } : {}),
          ...(spec.workdir !== undefined ? { workdir: spec.workdir } : {}),
          ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
          ...(spec.pre !== undefined ? { pre: spec.pre.map(step) } : {}),
          ...(spec.post !== undefined ? { post: spec.post.map(step) } : {}),
          ...(spec.mounts !== undefined ? { mounts: spec.mounts } : {}),
        },
        options,
        { onLog: hooks.onLog, onProgress: hooks.onProgress },
        signal,
      );
      switch (outcome.status) {
        case 'completed':
          return { status: 'completed', result: outcome.result };
        case 'failed':
          return { status: 'failed', error: outcome.error, exitCode: outcome.exitCode, ...(outcome.result !== undefined ? { result: outcome.result } : {}) };
        case 'timed_out':
          return { status: 'timed_out', error: outcome.error };
        case 'cancelled':
          return { status: 'cancelled' };
      }
    },
  };
}

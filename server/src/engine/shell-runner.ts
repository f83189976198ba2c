/** The shell runtime (from @twerk/worker) behind the worker loop's TaskRunner interface. */
import type { TaskDocument } from '@twerk/contract';
import { runShellTask, type ShellRuntimeOptions, type ShellSidecar } from '@twerk/worker';
import { timeoutMs } from '../coordinator/plan.ts';
import { definedFields, runOutcome, type TaskRunner } from './runner.ts';

type AuxTask = NonNullable<TaskDocument['pre']>[number];

/** A pre/post task as the shell runtime runs it (the image is a container concern, ignored here). Mounts are the main task's, shared by its pre and post tasks. */
function step(task: AuxTask) {
  return { name: task.name, ...definedFields({ run: task.run, cmd: task.cmd, env: task.env, files: task.files }) };
}

/** With a sidecar, tasks are spawned from that small process (cheap forks) instead of this one. */
export function shellRunner(options: ShellRuntimeOptions, sidecar?: ShellSidecar): TaskRunner {
  const run = sidecar ? sidecar.run.bind(sidecar) : runShellTask;
  return {
    async run(task, hooks, signal) {
      const { spec } = task;
      const outcome = await run(
        {
          taskId: task.taskId,
          jobId: task.jobId,
          ...definedFields({
            run: spec.run,
            cmd: spec.cmd,
            env: spec.env,
            files: spec.files,
            workdir: spec.workdir,
            timeoutMs: timeoutMs(spec),
            pre: spec.pre?.map(step),
            post: spec.post?.map(step),
            mounts: spec.mounts,
          }),
        },
        options,
        { onLog: hooks.onLog, onProgress: hooks.onProgress },
        signal,
      );
      return runOutcome(outcome);
    },
  };
}

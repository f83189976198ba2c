/**
 * The container runtimes (from @twerk/worker) behind the worker loop's TaskRunner interface, and the
 * runner that picks a runtime per task: the task's own `runtime` field, else the worker's `runtime.type`.
 */
import type { TaskDocument } from '@twerk/contract';
import { ContainerRuntime, type ContainerStep } from '@twerk/worker';
import Docker from 'dockerode';
import { timeoutMs } from '../coordinator/plan.ts';
import { definedFields, runOutcome, type TaskRunner } from './runner.ts';

type AuxTask = NonNullable<TaskDocument['pre']>[number];

/** A Docker-compatible API address (`unix:///…`, `tcp://host:port`, `http(s)://…`) as dockerode options. */
export function dockerOf(host: string): Docker {
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), protocol: url.protocol === 'https:' ? 'https' : 'http' });
}

function step(task: AuxTask): ContainerStep {
  return { name: task.name, ...definedFields({ image: task.image, run: task.run, cmd: task.cmd, entrypoint: task.entrypoint, env: task.env, files: task.files }) };
}

export function containerRunner(runtime: ContainerRuntime): TaskRunner {
  return {
    async run(task, hooks, signal) {
      const { spec } = task;
      if (spec.image === undefined) return { status: 'failed', error: 'the task has no image: the container runtime runs every task in a container of its image' };
      const outcome = await runtime.run(
        {
          taskId: task.taskId,
          jobId: task.jobId,
          name: spec.name,
          image: spec.image,
          ...definedFields({
            registry: spec.registry,
            run: spec.run,
            cmd: spec.cmd,
            entrypoint: spec.entrypoint,
            env: spec.env,
            files: spec.files,
            workdir: spec.workdir,
            timeoutMs: timeoutMs(spec),
            limits: spec.limits,
            gpus: spec.gpus,
            mounts: spec.mounts,
            networks: spec.networks,
            pre: spec.pre?.map(step),
            post: spec.post?.map(step),
          }),
        },
        { onLog: hooks.onLog, onProgress: hooks.onProgress },
        signal,
      );
      return runOutcome(outcome);
    },
  };
}

export type RuntimeName = 'shell' | 'docker' | 'podman';

/** Runs each task on its own `runtime`, or the worker's default; a runtime this worker lacks fails the task clearly. */
export function routedRunner(runners: Partial<Record<RuntimeName, TaskRunner>>, fallback: RuntimeName): TaskRunner {
  return {
    run(task, hooks, signal) {
      const name = task.spec.runtime ?? fallback;
      const runner = runners[name];
      if (runner === undefined) return Promise.resolve({ status: 'failed', error: `runtime "${name}" is not available on this worker` });
      return runner.run(task, hooks, signal);
    },
  };
}

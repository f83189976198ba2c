/**
 * The container runtimes (from @twerk/worker) behind the worker loop's TaskRunner interface, and the
 * runner that picks a runtime per task: the task's own `runtime` field, else the worker's `runtime.type`.
 */
import type { TaskDocument } from '@twerk/contract';
import { ContainerRuntime, type ContainerStep } from '@twerk/worker';
import Docker from 'dockerode';
import { timeoutMs } from '../coordinator/plan.ts';
import type { RunOutcome, TaskRunner } from './runner.ts';

type AuxTask = NonNullable<TaskDocument['pre']>[number];

/** A Docker-compatible API address (`unix:///…`, `tcp://host:port`, `http(s)://…`) as dockerode options. */
export function dockerOf(host: string): Docker {
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), protocol: url.protocol === 'https:' ? 'https' : 'http' });
}

function step(task: AuxTask): ContainerStep {
  return {
    name: task.name,
    ...(task.image !== undefined ? { image: task.image } : {}),
    ...(task.run !== undefined ? { run: task.run } : {}),
    ...(task.cmd !== undefined ? { cmd: task.cmd } : {}),
    ...(task.entrypoint !== undefined ? { entrypoint: task.entrypoint } : {}),
    ...(task.env !== undefined ? { env: task.env } : {}),
    ...(task.files !== undefined ? { files: task.files } : {}),
  };
}

export function containerRunner(runtime: ContainerRuntime): TaskRunner {
  return {
    async run(task, hooks, signal) {
      const { spec } = task;
      if (spec.image === undefined) return { status: 'failed', error: 'the task has no image: the container runtime runs every task in a container of its image' };
      const timeout = timeoutMs(spec);
      const outcome = await runtime.run(
        {
          taskId: task.taskId,
          jobId: task.jobId,
          name: spec.name,
          image: spec.image,
          ...(spec.registry !== undefined ? { registry: spec.registry } : {}),
          ...(spec.run !== undefined ? { run: spec.run } : {}),
          ...(spec.cmd !== undefined ? { cmd: spec.cmd } : {}),
          ...(spec.entrypoint !== undefined ? { entrypoint: spec.entrypoint } : {}),
          ...(spec.env !== undefined ? { env: spec.env } : {}),
          ...(spec.files !== undefined ? { files: spec.files } : {}),
          ...(spec.workdir !== undefined ? { workdir: spec.workdir } : {}),
          ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
          ...(spec.limits !== undefined ? { limits: spec.limits } : {}),
          ...(spec.gpus !== undefined ? { gpus: spec.gpus } : {}),
          ...(spec.mounts !== undefined ? { mounts: spec.mounts } : {}),
          ...(spec.networks !== undefined ? { networks: spec.networks } : {}),
          ...(spec.pre !== undefined ? { pre: spec.pre.map(step) } : {}),
          ...(spec.post !== undefined ? { post: spec.post.map(step) } : {}),
        },
        { onLog: hooks.onLog, onProgress: hooks.onProgress },
        signal,
      );
      return outcomeOf(outcome);
    },
  };
}

function outcomeOf(outcome: Awaited<ReturnType<ContainerRuntime['run']>>): RunOutcome {
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

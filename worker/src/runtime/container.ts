/**
 * The container runtime: every step of a task (its pre tasks, the task, its post tasks) in a container
 * of its own, through the Docker API — Docker's socket, or Podman's Docker-compatible service, which is
 * the same code pointed elsewhere (research/tork.md §7.2 and §7.4).
 *
 * Per task: a `/twerk` volume holding the script (`/twerk/entrypoint`), `/twerk/output` and
 * `/twerk/progress` ($TWERK_OUTPUT, $TWERK_PROGRESS, and Tork's names for them) and, when the task has
 * `files`, the working directory `/twerk/workdir`; the task's own volume, bind and tmpfs mounts, shared by
 * its steps; its networks. Files go in as tar archives before a container starts, and the output comes
 * back as one, so the engine may be on another machine. A `run` script is executed as
 * `sh -c /twerk/entrypoint` unless `entrypoint`/`cmd` say otherwise, as in Tork.
 *
 * Everything made for a task carries the labels `io.twerk.owner` (this worker) and `io.twerk.task`, and
 * is removed when the task ends however it ends; `sweep` removes what a killed worker left behind.
 */
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { parseMemoryBytes, parseNanoCpus } from '@twerk/contract';
import type Docker from 'dockerode';
import { describe, ImageStore, type ImageStoreOptions, type RegistryCredentials } from './container-images.ts';
import { Demultiplexer, packTar, unpackTar, type TarEntry } from './docker-stream.ts';
import { parseGpus, type DeviceRequest } from './gpus.ts';
import { LogBatcher } from './log-batcher.ts';
import { MAX_RESULT_BYTES, type TaskHooks, type TaskOutcome } from './shell.ts';
import { allowedBindSource, type MountPolicy, type ShellMount } from './shell-mounts.ts';

export interface ContainerStep {
  readonly name?: string;
  /** Defaults to the task's image. */
  readonly image?: string;
  readonly run?: string;
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, string>>;
}

export interface ContainerTask extends ContainerStep {
  readonly taskId: string;
  readonly jobId: string;
  readonly name: string;
  readonly image: string;
  readonly registry?: RegistryCredentials;
  readonly workdir?: string;
  readonly timeoutMs?: number;
  readonly limits?: { readonly cpus?: string; readonly memory?: string };
  readonly gpus?: string;
  readonly mounts?: readonly ShellMount[];
  readonly networks?: readonly string[];
  readonly pre?: readonly ContainerStep[];
  readonly post?: readonly ContainerStep[];
}

export interface ContainerRuntimeOptions {
  readonly docker: Docker;
  /** Names this worker on everything it creates, so a restarted worker can sweep what it left behind. */
  readonly owner: string;
  readonly images?: ImageStoreOptions;
  /** Tork's `runtime.docker.privileged`: containers run privileged only when the worker says so. */
  readonly privileged?: boolean;
  readonly mounts?: MountPolicy;
  readonly logFlushMs?: number;
  readonly logFlushBytes?: number;
  /** How often the progress file is read while the task runs (default 2 s). */
  readonly progressPollMs?: number;
  /** false: always copy output and progress out through the API, even when the volume is readable here. */
  readonly readVolumesInPlace?: boolean;
}

const TWERK_DIR = '/twerk';
const OUTPUT = `${TWERK_DIR}/output`;
const PROGRESS = `${TWERK_DIR}/progress`;
const ENTRYPOINT = `${TWERK_DIR}/entrypoint`;
const DEFAULT_WORKDIR = `${TWERK_DIR}/workdir`;
const VOLUME_TOKEN = '.twerk-volume';
const OWNER_LABEL = 'io.twerk.owner';
const TASK_LABEL = 'io.twerk.task';
const STOP_GRACE_SECONDS = 2;

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A network alias from a task name, as Tork's slug: lowercase letters, digits and dashes. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'task'
  );
}

/** A relative file name that stays in its directory (`a/b.txt`), or why not. */
function relativeFile(name: string): string | Error {
  const normalized = posix.normalize(name);
  if (name === '' || name.includes('\0') || posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    return new Error(`file ${JSON.stringify(name)} must stay inside the task's working directory`);
  }
  return normalized;
}

/** The tar entries that put `files` under `dir` (a path inside the archive), parent directories first. */
function fileEntries(dir: string, files: Readonly<Record<string, string>> | undefined): TarEntry[] | Error {
  const entries: TarEntry[] = [];
  const dirs = new Set<string>();
  for (const [name, body] of Object.entries(files ?? {})) {
    const relative = relativeFile(name);
    if (relative instanceof Error) return relative;
    const path = posix.join(dir, relative);
    for (let parent = posix.dirname(path); parent !== '.' && parent !== dir && !dirs.has(parent); parent = posix.dirname(parent)) dirs.add(parent);
    entries.push({ name: path, body, mode: 0o644 });
  }
  return [...[...dirs].sort().map((name): TarEntry => ({ name, body: '', type: 'directory', mode: 0o777 })), ...entries];
}

interface Limits {
  readonly NanoCpus?: number;
  readonly Memory?: number;
}

function limitsOf(task: ContainerTask): Limits | Error {
  const limits: { NanoCpus?: number; Memory?: number } = {};
  if (task.limits?.cpus !== undefined) {
    const cpus = parseNanoCpus(task.limits.cpus);
    if (!cpus.ok) return new Error(`limits.cpus: ${cpus.error}`);
    limits.NanoCpus = Number(cpus.value);
  }
  if (task.limits?.memory !== undefined) {
    const memory = parseMemoryBytes(task.limits.memory);
    if (!memory.ok) return new Error(`limits.memory: ${memory.error}`);
    limits.Memory = Number(memory.value);
  }
  return limits;
}

/** What one task made on the engine, removed at the end whatever happened. */
class TaskResources {
  readonly containers: Docker.Container[] = [];
  readonly volumes: string[] = [];
  /** The /twerk volume's name, the token written into it, and its directory when this machine can read it. */
  twerkVolume: { name: string; token: string; local?: string } | undefined;
  private readonly docker: Docker;

  constructor(docker: Docker) {
    this.docker = docker;
  }

  async remove(): Promise<void> {
    for (const container of this.containers.splice(0)) {
      await container.remove({ force: true, v: true }).catch(() => {});
    }
    for (const volume of this.volumes.splice(0)) {
      await this.docker.getVolume(volume).remove({ force: true }).catch(() => {});
    }
  }
}

export class ContainerRuntime {
  private readonly options: ContainerRuntimeOptions;
  private readonly docker: Docker;
  readonly images: ImageStore;

  constructor(options: ContainerRuntimeOptions) {
    this.options = options;
    this.docker = options.docker;
    this.images = new ImageStore(options.docker, options.images);
  }

  /** The engine answers; for a worker's health. */
  async healthy(): Promise<boolean> {
    return this.docker.ping().then(
      () => true,
      () => false,
    );
  }

  /**
   * Removes every container and volume this worker's earlier life left (a crash, a SIGKILL): their
   * tasks are run again elsewhere, so nothing of them may go on. Answers how many containers it removed.
   */
  async sweep(): Promise<number> {
    const filters = JSON.stringify({ label: [`${OWNER_LABEL}=${this.options.owner}`] });
    const containers = await this.docker.listContainers({ all: true, filters });
    for (const info of containers) await this.docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => {});
    const { Volumes: volumes } = await this.docker.listVolumes({ filters });
    for (const volume of volumes ?? []) await this.docker.getVolume(volume.Name).remove({ force: true }).catch(() => {});
    return containers.length;
  }

  async run(task: ContainerTask, hooks: TaskHooks = {}, signal?: AbortSignal): Promise<TaskOutcome> {
    if (signal?.aborted) return { status: 'cancelled' };
    const limits = limitsOf(task);
    if (limits instanceof Error) return { status: 'failed', exitCode: null, error: limits.message };
    const gpus = task.gpus !== undefined ? parseGpus(task.gpus) : undefined;
    if (gpus instanceof Error) return { status: 'failed', exitCode: null, error: gpus.message };

    const images = new Set([task.image, ...[...(task.pre ?? []), ...(task.post ?? [])].map((step) => step.image ?? task.image)]);
    try {
      await Promise.all([...images].map((image) => this.images.ensure(image, task.registry)));
    } catch (caught) {
      return { status: 'failed', exitCode: null, error: (caught as Error).message };
    }
    if (signal?.aborted) return { status: 'cancelled' };

    const resources = new TaskResources(this.docker);
    const labels = { [OWNER_LABEL]: this.options.owner, [TASK_LABEL]: task.taskId };
    const tail: string[] = [];
    const out = new LogBatcher('stdout', hooks, this.options.logFlushMs ?? 250, this.options.logFlushBytes ?? 65_536, tail);
    const err = new LogBatcher('stderr', hooks, this.options.logFlushMs ?? 250, this.options.logFlushBytes ?? 65_536, tail);

    let ending: 'timeout' | 'cancel' | undefined;
    let running: Docker.Container | undefined;
    const stop = (why: 'timeout' | 'cancel'): void => {
      if (ending !== undefined) return;
      ending = why;
      void running?.stop({ t: STOP_GRACE_SECONDS }).catch(() => {});
    };
    const onAbort = (): void => stop('cancel');
    signal?.addEventListener('abort', onAbort);
    const deadline = task.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), task.timeoutMs) : undefined;

    try {
      const mounts = await this.mountsOf(task, resources, labels);
      if (mounts instanceof Error) return { status: 'failed', exitCode: null, error: mounts.message };

      const steps = [
        ...(task.pre ?? []).map((step, index) => ({ label: `pre task ${step.name ?? index + 1}`, step, main: false })),
        { label: '', step: task as ContainerStep, main: true },
        ...(task.post ?? []).map((step, index) => ({ label: `post task ${step.name ?? index + 1}`, step, main: false })),
      ];
      let last: Docker.Container | undefined;
      for (const [index, { label, step, main }] of steps.entries()) {
        if (ending !== undefined) break;
        const prefix = label === '' ? '' : `${label} failed: `;
        const container = await this.create(task, step, { mounts, limits, gpus, labels, first: index === 0, main, resources });
        if (container instanceof Error) return { status: 'failed', exitCode: null, error: `${prefix}${container.message}` };
        resources.containers.push(container);
        last = container;
        running = container;
        const exit = await this.runContainer(container, out, err, main ? hooks : {}, resources);
        running = undefined;
        if (ending !== undefined) break;
        if (exit.error !== undefined) return { status: 'failed', exitCode: null, error: `${prefix}${exit.error}` };
        if (exit.code !== 0) {
          await Promise.all([out.close(), err.close()]);
          const cause = exit.oomKilled ? `killed: out of memory (limit ${task.limits?.memory})` : `exit code ${exit.code}`;
          const result = await this.readFile(container, OUTPUT, resources);
          return { status: 'failed', exitCode: exit.code, error: `${prefix}${cause}${tail.length > 0 ? `: ${tail.join('\n')}` : ''}`, ...(typeof result === 'string' ? { result } : {}) };
        }
      }
      await Promise.all([out.close(), err.close()]);
      if (ending === 'cancel') return { status: 'cancelled' };
      if (ending === 'timeout') return { status: 'timed_out', error: `task timed out after ${formatDuration(task.timeoutMs!)}` };
      const result = last ? await this.readFile(last, OUTPUT, resources) : '';
      if (result instanceof Error) return { status: 'failed', exitCode: 0, error: result.message };
      return { status: 'completed', exitCode: 0, result };
    } catch (caught) {
      if (ending === 'cancel') return { status: 'cancelled' };
      if (ending === 'timeout') return { status: 'timed_out', error: `task timed out after ${formatDuration(task.timeoutMs!)}` };
      return { status: 'failed', exitCode: null, error: `the container engine failed: ${describe(caught)}` };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (deadline !== undefined) clearTimeout(deadline);
      await Promise.all([out.close(), err.close()]);
      await resources.remove();
    }
  }

  /** The Docker mounts of the task: its `/twerk` volume, then its own mounts (volumes are created here). */
  private async mountsOf(task: ContainerTask, resources: TaskResources, labels: Record<string, string>): Promise<Docker.MountSettings[] | Error> {
    const twerkVolume = `twerk-${task.taskId.slice(0, 24)}-${randomUUID().slice(0, 8)}`;
    await this.docker.createVolume({ Name: twerkVolume, Labels: labels });
    resources.volumes.push(twerkVolume);
    resources.twerkVolume = { name: twerkVolume, token: randomUUID() };
    const mounts: Docker.MountSettings[] = [{ Type: 'volume', Source: twerkVolume, Target: TWERK_DIR }];
    for (const [index, mount] of (task.mounts ?? []).entries()) {
      const what = `mounts[${index}]`;
      const target = mount.target ?? '';
      if (!posix.isAbsolute(target)) return new Error(`${what}.target: "${target}" must be an absolute path`);
      if (posix.normalize(target).replace(/\/+$/, '') === TWERK_DIR) return new Error(`${what}.target: "${target}" is reserved for the engine`);
      switch (mount.type) {
        case 'volume': {
          const name = `twerk-${task.taskId.slice(0, 24)}-${randomUUID().slice(0, 8)}`;
          await this.docker.createVolume({ Name: name, Labels: labels, ...(mount.opts !== undefined ? { DriverOpts: { ...mount.opts } } : {}) });
          resources.volumes.push(name);
          mounts.push({ Type: 'volume', Source: name, Target: target });
          break;
        }
        case 'bind': {
          const source = allowedBindSource(mount, this.options.mounts ?? {}, what);
          if (source instanceof Error) return source;
          mounts.push({ Type: 'bind', Source: source, Target: target });
          break;
        }
        case 'tmpfs': {
          const size = mount.opts?.['size'];
          const bytes = size !== undefined ? parseMemoryBytes(size) : undefined;
          if (bytes !== undefined && !bytes.ok) return new Error(`${what}.opts.size: ${bytes.error}`);
          mounts.push({ Type: 'tmpfs', Source: '', Target: target, ...(bytes?.ok ? { TmpfsOptions: { SizeBytes: Number(bytes.value), Mode: 0o1777 } } : {}) });
          break;
        }
        default:
          return new Error(`${what}.type: "${mount.type}" is not a mount the container runtime makes (volume, bind, tmpfs)`);
      }
    }
    return mounts;
  }

  private async create(
    task: ContainerTask,
    step: ContainerStep,
    how: { mounts: Docker.MountSettings[]; limits: Limits; gpus: DeviceRequest | undefined; labels: Record<string, string>; first: boolean; main: boolean; resources: TaskResources },
  ): Promise<Docker.Container | Error> {
    const hasFiles = step.files !== undefined && Object.keys(step.files).length > 0;
    const workdir = how.main && task.workdir !== undefined ? task.workdir : hasFiles || (how.main && task.files !== undefined) ? DEFAULT_WORKDIR : undefined;
    // Copied into the volume itself (the archive's path is the mount's target). Copied into the
    // container's own /twerk instead, it would reach the volume only by the engine's copy-up of an empty
    // volume on first use — so a later step would silently run the first step's script.
    const entries: TarEntry[] = [];
    if (how.first) {
      // Open to any user: the image may run as one that does not own the volume.
      entries.push({ name: 'output', body: '', mode: 0o666 }, { name: 'progress', body: '', mode: 0o666 }, { name: 'workdir', body: '', type: 'directory', mode: 0o777 });
      if (how.resources.twerkVolume) entries.push({ name: VOLUME_TOKEN, body: how.resources.twerkVolume.token, mode: 0o444 });
    }
    if (step.run !== undefined) entries.push({ name: 'entrypoint', body: step.run, mode: 0o555 });
    const files = fileEntries('workdir', step.files);
    if (files instanceof Error) return files;
    entries.push(...files);
    const entrypoint = step.entrypoint !== undefined && step.entrypoint.length > 0 ? [...step.entrypoint] : step.run !== undefined ? ['sh', '-c'] : undefined;
    const cmd = step.cmd !== undefined && step.cmd.length > 0 ? [...step.cmd] : step.run !== undefined ? [ENTRYPOINT] : undefined;
    const env = {
      ...(step.env ?? {}),
      TWERK_OUTPUT: OUTPUT,
      TWERK_PROGRESS: PROGRESS,
      TORK_OUTPUT: OUTPUT,
      TORK_PROGRESS: PROGRESS,
      TWERK_TASK_ID: task.taskId,
      TWERK_JOB_ID: task.jobId,
    };
    const [network, ...otherNetworks] = task.networks ?? [];
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        Image: step.image ?? task.image,
        ...(entrypoint !== undefined ? { Entrypoint: entrypoint } : {}),
        ...(cmd !== undefined ? { Cmd: cmd } : {}),
        Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
        ...(workdir !== undefined ? { WorkingDir: workdir } : {}),
        Labels: how.labels,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        HostConfig: {
          Mounts: how.mounts,
          ...how.limits,
          ...(how.limits.Memory !== undefined ? { MemorySwap: how.limits.Memory } : {}),
          ...(how.gpus !== undefined ? { DeviceRequests: [how.gpus] } : {}),
          Privileged: this.options.privileged ?? false,
          ...(network !== undefined ? { NetworkMode: network } : {}),
        },
        ...(network !== undefined ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [slug(task.name)] } } } } : {}),
      });
    } catch (caught) {
      if ((caught as { statusCode?: number }).statusCode === 404) this.images.forget(step.image ?? task.image);
      return new Error(`could not create the container: ${describe(caught)}`);
    }
    try {
      for (const name of otherNetworks) await this.docker.getNetwork(name).connect({ Container: container.id, EndpointConfig: { Aliases: [slug(task.name)] } });
      if (entries.length > 0) await container.putArchive(packTar(entries), { path: TWERK_DIR });
      if (how.first) await this.findLocalVolume(how.resources);
    } catch (caught) {
      await container.remove({ force: true }).catch(() => {});
      return new Error(`could not prepare the container: ${describe(caught)}`);
    }
    return container;
  }

  /** Starts the container with its output streaming into the logs; answers how it ended. */
  private async runContainer(container: Docker.Container, out: LogBatcher, err: LogBatcher, hooks: TaskHooks, resources: TaskResources): Promise<{ code: number; oomKilled: boolean; error?: string }> {
    const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    const demux = new Demultiplexer((name, bytes) => (name === 'stdout' ? out : err).write(bytes));
    const streamEnded = new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => demux.write(chunk));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    try {
      await container.start();
    } catch (caught) {
      return { code: -1, oomKilled: false, error: `could not start the container: ${describe(caught)}` };
    }
    let lastProgress: number | undefined;
    const poll = async (): Promise<void> => {
      const text = await this.readFile(container, PROGRESS, resources);
      if (typeof text !== 'string') return;
      const value = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(value)) return;
      const percent = Math.min(100, Math.max(0, value));
      if (percent !== lastProgress) {
        lastProgress = percent;
        await hooks.onProgress?.(percent);
      }
    };
    const progressTimer = hooks.onProgress ? setInterval(() => void poll().catch(() => {}), this.options.progressPollMs ?? 2_000) : undefined;
    try {
      const waited = (await container.wait()) as { StatusCode: number };
      // The attach stream ends with the container; wait for it so no late log line is lost.
      await Promise.race([streamEnded, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      const state = (await container.inspect()).State;
      if (hooks.onProgress && resources.twerkVolume?.local !== undefined) await poll().catch(() => {});
      return { code: waited.StatusCode, oomKilled: state.OOMKilled === true };
    } finally {
      if (progressTimer !== undefined) clearInterval(progressTimer);
    }
  }

  /**
   * When the engine runs on this machine and the worker may read its volumes (root with a local engine),
   * the /twerk volume's own directory: reading output and progress there costs no API round trip (a
   * copy out of a container takes ~200 ms on podman). The token written into the volume proves the
   * directory is this volume, not a path that happens to exist here.
   */
  private async findLocalVolume(resources: TaskResources): Promise<void> {
    const volume = resources.twerkVolume;
    if (volume === undefined || this.options.readVolumesInPlace === false) return;
    try {
      const { Mountpoint: mountpoint } = await this.docker.getVolume(volume.name).inspect();
      if (mountpoint && (await readFile(posix.join(mountpoint, VOLUME_TOKEN), 'utf8')) === volume.token) volume.local = mountpoint;
    } catch {
      // Not readable from here: files are copied out through the API.
    }
  }

  /** A file of the `/twerk` volume: read in place when it is local, else through a container that mounts it. */
  private async readFile(container: Docker.Container, path: string, resources: TaskResources): Promise<string | Error> {
    const local = resources.twerkVolume?.local;
    if (local !== undefined) {
      const file = posix.join(local, posix.relative(TWERK_DIR, path));
      try {
        const { size } = await stat(file);
        if (size > MAX_RESULT_BYTES) return new Error(`the task's output is ${size} bytes, more than the limit of ${MAX_RESULT_BYTES}`);
        return await readFile(file, 'utf8');
      } catch {
        return '';
      }
    }
    let archive: NodeJS.ReadableStream;
    try {
      archive = (await container.getArchive({ path })) as NodeJS.ReadableStream;
    } catch {
      return '';
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of archive as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_RESULT_BYTES + 1_048_576) return new Error(`the task's output is more than the limit of ${MAX_RESULT_BYTES} bytes`);
    }
    const files = unpackTar(Buffer.concat(chunks));
    const body = files.get(posix.basename(path)) ?? [...files.values()][0];
    if (body === undefined) return '';
    if (body.length > MAX_RESULT_BYTES) return new Error(`the task's output is ${body.length} bytes, more than the limit of ${MAX_RESULT_BYTES}`);
    return body.toString('utf8');
  }
}

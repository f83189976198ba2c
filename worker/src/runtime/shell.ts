/**
 * The shell runtime: runs one task as a process on this machine (research/tork.md §7.3). Each task gets
 * a fresh directory — `work/` is its working directory, `output` and `progress` beside it are
 * $TWERK_OUTPUT and $TWERK_PROGRESS — removed afterwards whatever happens. The process runs in its own
 * process group, so a timeout or a cancellation kills everything it started, not just the shell.
 * Only the task's env and our variables reach it, never the rest of the server's environment.
 */
import { spawn } from 'node:child_process';
import { lchown, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { LogBatcher } from './log-batcher.ts';
import { prepareMounts, type MountPolicy, type PreparedMounts, type ShellMount } from './shell-mounts.ts';

export interface ShellTask {
  readonly taskId: string;
  readonly jobId: string;
  readonly run?: string;
  readonly cmd?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, string>>;
  readonly workdir?: string;
  readonly timeoutMs?: number;
  readonly pre?: readonly ShellStep[];
  readonly post?: readonly ShellStep[];
  /** Made in a private mount namespace for each step (see shell-mounts.ts); shared by pre, main and post. */
  readonly mounts?: readonly ShellMount[];
}

export interface ShellRuntimeOptions {
  readonly shell?: readonly string[];
  readonly baseDir: string;
  readonly hostEnv?: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  readonly logFlushMs?: number;
  readonly logFlushBytes?: number;
  readonly mounts?: MountPolicy;
}

export interface TaskHooks {
  onLog?(chunk: { stream: 'stdout' | 'stderr'; data: string }): void | Promise<void>;
  onProgress?(percent: number): void | Promise<void>;
  onStarted?(pid: number): void;
}

export type TaskOutcome =
  | { readonly status: 'completed'; readonly exitCode: 0; readonly result: string }
  | { readonly status: 'failed'; readonly exitCode: number | null; readonly error: string; readonly result?: string }
  | { readonly status: 'timed_out'; readonly error: string }
  | { readonly status: 'cancelled' };

export const MAX_RESULT_BYTES = 1_048_576;
const KILL_GRACE_MS = 2_000;
const PROGRESS_POLL_MS = 500;

/** A relative path that stays inside its directory, or an explanation of why not. */
function insidePath(name: string, what: string): string | Error {
  if (name === '' || name.includes('\0')) return new Error(`${what} ${JSON.stringify(name)} is not a valid file name`);
  const normalized = normalize(name);
  if (isAbsolute(normalized) || normalized === '..' || normalized.startsWith(`..${sep}`)) return new Error(`${what} ${JSON.stringify(name)} must stay inside the task's working directory`);
  return normalized;
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function readResult(path: string): Promise<string | Error> {
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_RESULT_BYTES) return new Error(`the task's output is ${bytes.length} bytes, more than the limit of ${MAX_RESULT_BYTES}`);
    return bytes.toString('utf8');
  } catch {
    return '';
  }
}

async function readProgress(path: string): Promise<number | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    const value = Number(text);
    return text === '' || !Number.isFinite(value) ? undefined : Math.min(100, Math.max(0, value));
  } catch {
    return undefined;
  }
}

/** A pre or post step: run in the task's working directory before or after the main script. */
export interface ShellStep {
  readonly name?: string;
  readonly run?: string;
  readonly cmd?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, string>>;
}

interface StepExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly spawnError?: Error;
}

/** The first directory from `path` up that a process of `uid`/`gid` cannot pass through (judged by its mode bits). */
async function closedAncestor(path: string, uid: number, gid: number): Promise<string | undefined> {
  for (let current = path; ; current = dirname(current)) {
    const { uid: owner, gid: group, mode } = await stat(current);
    const passable = owner === uid ? (mode & 0o100) !== 0 : group === gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
    if (!passable) return current;
    if (dirname(current) === current) return undefined;
  }
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await lchown(child, uid, gid);
  }
}

async function writeFiles(work: string, files: Readonly<Record<string, string>> | undefined): Promise<Error | undefined> {
  for (const [name, contents] of Object.entries(files ?? {})) {
    const relative = insidePath(name, 'file');
    if (relative instanceof Error) return relative;
    const target = join(work, relative);
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(target, contents);
  }
  return undefined;
}

/**
 * Runs the task's pre steps, its script and its post steps in order in one fresh directory, as Tork
 * runs them in one call: they share the working directory and the log stream, the first failure stops
 * the sequence and fails the task, and the timeout covers the whole sequence.
 */
export async function runShellTask(task: ShellTask, options: ShellRuntimeOptions, hooks: TaskHooks = {}, signal?: AbortSignal): Promise<TaskOutcome> {
  if (signal?.aborted) return { status: 'cancelled' };
  // Absolute, because the variables pointing into it are used from the task's own working directory.
  const baseDir = resolve(options.baseDir);
  await mkdir(baseDir, { recursive: true });
  if (options.uid !== undefined) {
    // The task's own paths ($TWERK_OUTPUT, …) run through the base directory: its user must be able to pass.
    const closed = await closedAncestor(baseDir, options.uid, options.gid ?? process.getgid?.() ?? 0);
    if (closed !== undefined) return { status: 'failed', exitCode: null, error: `${closed}, on the way to the worker directory, is closed to uid ${options.uid}, which tasks run as: make it searchable (chmod o+x)` };
  }
  const root = await mkdtemp(join(baseDir, 'task-'));
  try {
    const work = join(root, 'work');
    await mkdir(work);
    const filesError = await writeFiles(work, task.files);
    if (filesError) return { status: 'failed', exitCode: null, error: filesError.message };
    let cwd = work;
    if (task.workdir !== undefined) {
      const relative = insidePath(task.workdir.replace(/^\/+/, ''), 'workdir');
      if (relative instanceof Error) return { status: 'failed', exitCode: null, error: relative.message };
      cwd = join(work, relative);
      await mkdir(cwd, { recursive: true });
    }
    const output = join(root, 'output');
    const progress = join(root, 'progress');
    await writeFile(output, '');
    await writeFile(progress, '');
    // A task run as another user must be able to use its directory: it gets the whole tree.
    if (options.uid !== undefined || options.gid !== undefined) await chownTree(root, options.uid ?? -1, options.gid ?? -1);
    let mounts: PreparedMounts | undefined;
    if (task.mounts !== undefined && task.mounts.length > 0) {
      const prepared = await prepareMounts(task.mounts, root, options.mounts ?? {}, { ...(options.uid !== undefined ? { uid: options.uid } : {}), ...(options.gid !== undefined ? { gid: options.gid } : {}) });
      if (prepared instanceof Error) return { status: 'failed', exitCode: null, error: prepared.message };
      mounts = prepared;
    }

    const baseEnv: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin' };
    for (const name of options.hostEnv ?? []) {
      const value = process.env[name];
      if (value !== undefined) baseEnv[name] = value;
    }
    const ours = { TWERK_OUTPUT: output, TWERK_PROGRESS: progress, TWERK_TASK_ID: task.taskId, TWERK_JOB_ID: task.jobId, TORK_OUTPUT: output, TORK_PROGRESS: progress };
    const shell = options.shell ?? ['bash', '-c'];

    const stderrTail: string[] = [];
    const out = new LogBatcher('stdout', hooks, options.logFlushMs ?? 250, options.logFlushBytes ?? 65_536, undefined);
    const err = new LogBatcher('stderr', hooks, options.logFlushMs ?? 250, options.logFlushBytes ?? 65_536, stderrTail);

    // Timeout and cancellation apply to whichever step is running when they strike.
    let ending: 'timeout' | 'cancel' | undefined;
    let currentPid: number | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'cancel'): void => {
      if (ending !== undefined) return;
      ending = why;
      if (currentPid !== undefined) {
        const pid = currentPid;
        killGroup(pid, 'SIGTERM');
        graceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      }
    };
    const onAbort = (): void => stop('cancel');
    signal?.addEventListener('abort', onAbort);
    const deadline = task.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), task.timeoutMs) : undefined;
    let lastProgress: number | undefined;
    const pollProgress = async (): Promise<void> => {
      const value = await readProgress(progress);
      if (value !== undefined && value !== lastProgress) {
        lastProgress = value;
        await hooks.onProgress?.(value);
      }
    };
    const progressTimer = hooks.onProgress ? setInterval(() => void pollProgress(), PROGRESS_POLL_MS) : undefined;

    const spawnStep = (argv: readonly string[], env: Record<string, string>, isMain: boolean): Promise<StepExit> =>
      new Promise<StepExit>((resolveStep) => {
        // With mounts the step starts as root in its own namespace and drops to uid/gid after mounting.
        const [command, ...args] = (mounts ? mounts.wrap(argv) : argv) as [string, ...string[]];
        const child = spawn(command, args, {
          cwd,
          env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(options.uid !== undefined && !mounts ? { uid: options.uid } : {}),
          ...(options.gid !== undefined && !mounts ? { gid: options.gid } : {}),
        });
        currentPid = child.pid;
        child.stdout.on('data', (bytes: Buffer) => out.write(bytes));
        child.stderr.on('data', (bytes: Buffer) => err.write(bytes));
        if (child.pid !== undefined) {
          if (isMain) hooks.onStarted?.(child.pid);
          // Lets a restarted worker find and stop what a killed one left running (reapOrphanedTasks).
          void writeFile(join(root, 'pid'), String(child.pid)).catch(() => {});
        }
        let settled = false;
        const finish = (result: StepExit): void => {
          if (settled) return;
          settled = true;
          // Anything the step left running in its group goes with it.
          if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
          currentPid = undefined;
          resolveStep(result);
        };
        child.on('error', (spawnError) => finish({ code: null, signal: null, spawnError }));
        // A background process the step started would hold the pipes open and delay 'close' forever.
        child.on('exit', () => {
          if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        });
        child.on('close', (code, exitSignal) => finish({ code, signal: exitSignal }));
      });

    const steps: { label: string; step: ShellStep; isMain: boolean }[] = [
      ...(task.pre ?? []).map((step, index) => ({ label: `pre task ${step.name ?? index + 1}`, step, isMain: false })),
      { label: '', step: { ...(task.run !== undefined ? { run: task.run } : {}), ...(task.cmd !== undefined ? { cmd: task.cmd } : {}), ...(task.env !== undefined ? { env: task.env } : {}) }, isMain: true },
      ...(task.post ?? []).map((step, index) => ({ label: `post task ${step.name ?? index + 1}`, step, isMain: false })),
    ];
    let failure: { label: string; exit?: StepExit; error?: string } | undefined;
    for (const { label, step, isMain } of steps) {
      if (ending !== undefined) break;
      if (!isMain) {
        const stepFiles = await writeFiles(work, step.files);
        if (stepFiles) {
          failure = { label, error: stepFiles.message };
          break;
        }
        if (step.files !== undefined && (options.uid !== undefined || options.gid !== undefined)) await chownTree(work, options.uid ?? -1, options.gid ?? -1);
      }
      const argv = step.run !== undefined ? [...shell, step.run] : [...(step.cmd ?? [])];
      if (argv.length === 0) {
        if (isMain) {
          failure = { label, error: 'the task has nothing to run: no run script and no cmd' };
          break;
        }
        continue;
      }
      const exit = await spawnStep(argv, { ...baseEnv, ...(step.env ?? {}), ...ours }, isMain);
      if (exit.spawnError || exit.code !== 0) {
        failure = { label, exit };
        break;
      }
    }

    signal?.removeEventListener('abort', onAbort);
    if (deadline !== undefined) clearTimeout(deadline);
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    if (progressTimer !== undefined) clearInterval(progressTimer);
    if (hooks.onProgress) await pollProgress();
    await Promise.all([out.close(), err.close()]);

    if (ending === 'cancel') return { status: 'cancelled' };
    if (ending === 'timeout') return { status: 'timed_out', error: `task timed out after ${formatDuration(task.timeoutMs!)}` };
    const result = await readResult(output);
    if (failure !== undefined) {
      const prefix = failure.label === '' ? '' : `${failure.label} failed: `;
      if (failure.error !== undefined) return { status: 'failed', exitCode: null, error: `${prefix}${failure.error}` };
      const exit = failure.exit!;
      if (exit.spawnError) return { status: 'failed', exitCode: null, error: `${prefix}could not start ${(failure.label === '' ? (task.run !== undefined ? shell[0] : task.cmd?.[0]) : 'the step') ?? 'the program'}: ${exit.spawnError.message}` };
      const cause = exit.code === null ? `killed by ${exit.signal ?? 'a signal'}` : `exit status ${exit.code}`;
      const detail = stderrTail.length > 0 ? `: ${stderrTail.join('\n')}` : '';
      return { status: 'failed', exitCode: exit.code, error: `${prefix}${cause}${detail}`, ...(typeof result === 'string' ? { result } : {}) };
    }
    if (result instanceof Error) return { status: 'failed', exitCode: 0, error: result.message };
    return { status: 'completed', exitCode: 0, result };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Stops what a previous, killed worker left behind in `baseDir`: task process groups still running
 * (their shell's working directory is inside the task's directory, which guards against a recycled
 * pid) and the task directories themselves. Answers how many process groups it stopped.
 */
export async function reapOrphanedTasks(baseDir: string): Promise<number> {
  const base = resolve(baseDir);
  let entries: string[];
  try {
    entries = await readdir(base);
  } catch {
    return 0;
  }
  let stopped = 0;
  for (const entry of entries.filter((name) => name.startsWith('task-'))) {
    const root = join(base, entry);
    const pid = Number((await readFile(join(root, 'pid'), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 1) {
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
      if (cwd !== undefined && cwd.startsWith(root)) {
        killGroup(pid, 'SIGKILL');
        stopped += 1;
      }
    }
    await rm(root, { recursive: true, force: true });
  }
  return stopped;
}

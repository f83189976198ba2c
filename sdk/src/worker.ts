/**
 * A Twerk worker over the HTTP worker protocol (seed 004), for Node. It long-polls for tasks of its
 * labels' queues, runs them — by default the task's `command` with `sh -c` in its own process group,
 * streaming stdout and stderr as log chunks — heartbeats its lease, stops a task whose heartbeat
 * answers `cancel` or whose lease is lost, and reports the outcome, retrying reports through network
 * errors. `stop()` stops claiming and lets the tasks in hand finish.
 */
import { spawn } from 'node:child_process';
import type { ClaimResponse, LogChunk, QueuedJob } from '@twerk/contract';

export type Claim = NonNullable<ClaimResponse>;
export type ClaimedJob = QueuedJob;

export interface ExecuteContext {
  /** Aborts when the task is cancelled, its lease is lost, or the worker stops for good. */
  readonly signal: AbortSignal;
  /** Sends a line of output (the worker batches them). */
  log(stream: 'stdout' | 'stderr', data: string): void;
}

/** What a task produced: outputs (`::set-output` lines in the logs count too). */
export interface ExecuteResult {
  readonly outputs?: Readonly<Record<string, string>>;
}

/** Throw this (or anything) to fail the task; `retryable` says whether Twerk may retry it. */
export class TaskFailure extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable = false) {
    super(message);
    this.retryable = retryable;
  }
}

export interface WorkerOptions {
  readonly serverUrl: string;
  /** The queues it serves; none means `default`. */
  readonly labels?: readonly string[];
  readonly workerId?: string;
  /** The server's worker token, when it has one. */
  readonly token?: string;
  /** Tasks run at once. */
  readonly concurrency?: number;
  readonly leaseTtlSecs?: number;
  /** How long one claim waits for work. */
  readonly waitSecs?: number;
  /** Runs a task; the default runs its command with sh -c. */
  readonly execute?: (job: ClaimedJob, context: ExecuteContext) => Promise<ExecuteResult | void>;
  readonly onError?: (error: unknown) => void;
}

export interface Worker {
  readonly workerId: string;
  /** Resolves when the worker stopped. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** The default executor: `sh -c command`, its whole process group killed when the signal aborts. */
export function runCommand(job: ClaimedJob, context: ExecuteContext): Promise<ExecuteResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', job.command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (data: string) => context.log('stdout', data));
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      stderr.push(data);
      context.log('stderr', data);
    });
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    context.signal.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => reject(new TaskFailure(`could not start sh: ${error.message}`)));
    child.on('close', (code, signal) => {
      context.signal.removeEventListener('abort', kill);
      if (code === 0) return resolve({});
      const tail = stderr.join('').slice(-4096).trim();
      reject(new TaskFailure(`${code === null ? `killed by ${signal}` : `exit status ${code}`}${tail ? `: ${tail}` : ''}`));
    });
  });
}

class Api {
  private readonly options: WorkerOptions;
  constructor(options: WorkerOptions) {
    this.options = options;
  }

  async post(path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) };
    const response = await fetch(new URL(path, this.options.serverUrl), { method: 'POST', headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal ? { signal } : {}) });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  /** A report that must arrive: retried through network errors and 5xx, not through 4xx answers. */
  async report(path: string, body: unknown): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { status } = await this.post(path, body);
        if (status < 500) return status;
      } catch (error) {
        this.options.onError?.(error);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 5_000)));
      if (attempt >= 8) return 0;
    }
  }
}

export function createWorker(options: WorkerOptions): Worker {
  const workerId = options.workerId ?? `node-${Math.random().toString(36).slice(2, 10)}`;
  const labels = [...(options.labels ?? [])];
  const ttl = options.leaseTtlSecs ?? 30;
  const api = new Api(options);
  const execute = options.execute ?? runCommand;
  const onError = options.onError ?? (() => {});
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();

  async function runOne(claim: Claim): Promise<void> {
    const { job, lease } = claim;
    const leasePath = (what: string) => `/api/jobs/${encodeURIComponent(lease.lease_id)}/${what}`;
    const aborted = new AbortController();
    let sequence = 0;
    let pending: LogChunk[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const chunks = pending;
      pending = [];
      const status = await api.report(leasePath('logs'), { chunks });
      if (status === 409) aborted.abort();
    };
    const flusher = setInterval(() => void flush(), 500);
    const heartbeat = setInterval(() => {
      api.post(leasePath('heartbeat')).then(
        ({ status, json }) => {
          if (status === 409 || status === 404 || (json as { cancel?: boolean } | undefined)?.cancel === true) aborted.abort();
        },
        onError,
      );
    }, Math.max(1_000, (ttl * 1000) / 3));
    try {
      const result = await execute(job, {
        signal: aborted.signal,
        log: (stream, data) => pending.push({ workflow_id: job.workflow_id, job_id: job.job_id, sequence: sequence++, data, timestamp_ms: Date.now(), stream }),
      });
      await flush();
      if (!aborted.signal.aborted) await api.report(leasePath('complete'), { outputs: result?.outputs ?? {} });
    } catch (error) {
      await flush();
      if (!aborted.signal.aborted) {
        const retryable = error instanceof TaskFailure ? error.retryable : false;
        await api.report(leasePath('fail'), { error: (error instanceof Error ? error.message : String(error)).slice(0, 65_536), retryable });
      }
    } finally {
      clearInterval(flusher);
      clearInterval(heartbeat);
    }
  }

  async function loop(): Promise<void> {
    await api.post('/api/workers/register', { worker_id: workerId, labels }).catch(onError);
    while (!stopping.signal.aborted) {
      if (running.size >= (options.concurrency ?? 1)) {
        await Promise.race(running);
        continue;
      }
      let claim: Claim | null = null;
      try {
        const answer = await api.post('/api/jobs/claim', { worker_id: workerId, labels, lease_ttl_secs: ttl, wait_secs: options.waitSecs ?? 20 }, stopping.signal);
        if (answer.status !== 200) throw new Error(`claim answered ${answer.status}: ${JSON.stringify(answer.json)}`);
        claim = answer.json as Claim | null;
      } catch (error) {
        if (stopping.signal.aborted) break;
        onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      if (claim === null) continue;
      const task = runOne(claim).catch(onError);
      running.add(task);
      void task.finally(() => running.delete(task));
    }
    await Promise.all(running);
  }

  const done = loop();
  return {
    workerId,
    done,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}

/**
 * One coordinator transaction as a unit of work. Handlers lock the jobs they move, then record what
 * changes — new task records, job fields, results, leaf counts, sub-jobs to start, jobs that ended —
 * and `flush` writes it all at the end in as few statements as it can: one insert for a fan-out's
 * children, one update per job, one wake-up per work queue. Everything commits together with the
 * state change that caused it, or not at all.
 */
import { createEnvironment, type Environment } from '@twerk/contract';
import type { Broker } from '../broker/broker.ts';
import { notify, type Database, type Queryable } from '../db/database.ts';
import { applyJobChanges, jobBody, jobOutputs, lockJobHeads, type JobBody, type JobHead, type JobPatch } from '../datastore/jobs.ts';
import { insertTasks, type NewTask, type SettledTask } from '../datastore/tasks.ts';
import { CHANNELS, QUEUES, type JobCommand } from './messages.ts';

/** Job definitions, inputs and secrets never change after submission, so every process may keep them. */
export class JobBodies {
  private readonly entries = new Map<string, JobBody>();
  private readonly capacity: number;
  constructor(capacity = 500) {
    this.capacity = capacity;
  }

  async get(q: Queryable, id: string): Promise<JobBody> {
    const cached = this.entries.get(id);
    if (cached !== undefined) {
      // Map order is insertion order: re-inserting keeps the most recently used last.
      this.entries.delete(id);
      this.entries.set(id, cached);
      return cached;
    }
    const body = await jobBody(q, id);
    if (body === undefined) throw new Error(`job ${id} has no record`);
    this.entries.set(id, body);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return body;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}

/** A task that completed or failed in a transaction that committed. */
export interface TaskOutcome {
  readonly state: 'COMPLETED' | 'FAILED';
  /** From its start to its end; undefined for one that never started (failed while waiting in its queue). */
  readonly durationMs?: number;
}

/**
 * What the coordinator tells an observer (the process's metrics) about the work it committed: called
 * after the commit, never for a transaction that rolled back or was run again. It must not throw.
 */
export interface CoordinatorObserver {
  tasksFinished(outcomes: readonly TaskOutcome[]): void;
}

export interface CoordinatorDeps {
  readonly db: Database;
  readonly broker: Broker;
  readonly bodies: JobBodies;
  readonly observer?: CoordinatorObserver;
}

interface PendingJobChanges {
  patch: JobPatch;
  outputs: Record<string, string>;
  leavesCreated: number;
  leavesFinished: number;
  deleteAfterMs?: number;
}

export class Session {
  private readonly heads = new Map<string, JobHead>();
  /** Results by var, per job: what the database held when first needed, plus this transaction's. */
  private readonly outputs = new Map<string, Record<string, string>>();
  private readonly changes = new Map<string, PendingJobChanges>();
  private tasks: NewTask[] = [];
  /** Work queues that got ready tasks: their workers are woken at commit. */
  private readonly ready = new Set<string>();
  private readonly commands: JobCommand[] = [];
  private readonly ended: string[] = [];
  private readonly outcomes: TaskOutcome[] = [];

  readonly deps: CoordinatorDeps;
  readonly tx: Queryable;

  constructor(deps: CoordinatorDeps, tx: Queryable) {
    this.deps = deps;
    this.tx = tx;
  }

  /** Locks the jobs not yet locked by this transaction; answers the heads of all of them that exist. */
  async lockJobs(ids: Iterable<string>): Promise<Map<string, JobHead>> {
    const wanted = [...new Set(ids)];
    const missing = wanted.filter((id) => !this.heads.has(id)).sort();
    for (const head of await lockJobHeads(this.tx, missing)) this.heads.set(head.id, head);
    return new Map(wanted.flatMap((id) => (this.heads.has(id) ? [[id, this.heads.get(id)!] as const] : [])));
  }

  async lockJob(id: string): Promise<JobHead | undefined> {
    return (await this.lockJobs([id])).get(id);
  }

  body(id: string): Promise<JobBody> {
    return this.deps.bodies.get(this.tx, id);
  }

  /** Results by var as this transaction sees them. */
  async outputsOf(jobId: string): Promise<Readonly<Record<string, string>>> {
    let known = this.outputs.get(jobId);
    if (known === undefined) {
      known = { ...(await jobOutputs(this.tx, jobId)), ...(this.changes.get(jobId)?.outputs ?? {}) };
      this.outputs.set(jobId, known);
    }
    return known;
  }

  /** The job context templates are evaluated in, plus `extra` names (an each item). */
  async environment(job: JobHead, extra: Readonly<Record<string, unknown>> = {}): Promise<Environment> {
    const body = await this.body(job.id);
    return createEnvironment({ inputs: body.inputs, secrets: body.secrets, tasks: await this.outputsOf(job.id), job: { id: job.id, name: job.name } }, extra);
  }

  private pending(jobId: string): PendingJobChanges {
    let entry = this.changes.get(jobId);
    if (entry === undefined) {
      entry = { patch: {}, outputs: {}, leavesCreated: 0, leavesFinished: 0 };
      this.changes.set(jobId, entry);
    }
    return entry;
  }

  /** Changes job fields (the head seen by this transaction follows). */
  setJob(job: JobHead, patch: JobPatch): void {
    if (patch.state !== undefined) job.state = patch.state;
    if (patch.position !== undefined) job.position = patch.position;
    const entry = this.pending(job.id);
    entry.patch = { ...entry.patch, ...patch };
  }

  deleteJobLater(jobId: string, afterMs: number): void {
    this.pending(jobId).deleteAfterMs = afterMs;
  }

  addOutput(jobId: string, variable: string, value: string): void {
    this.pending(jobId).outputs[variable] = value;
    const known = this.outputs.get(jobId);
    if (known !== undefined) known[variable] = value;
  }

  countLeaves(jobId: string, created: number, finished: number): void {
    const entry = this.pending(jobId);
    entry.leavesCreated += created;
    entry.leavesFinished += finished;
  }

  /** A task record to insert at flush; the object may still be changed until then. */
  addTask(task: NewTask): NewTask {
    this.tasks.push(task);
    return task;
  }

  /** A SCHEDULED task was added to `queue`: its task record is the message workers claim. */
  announce(queue: string): void {
    this.ready.add(queue);
  }

  startJobLater(jobId: string): void {
    this.commands.push({ type: 'start', jobId });
  }

  jobEnded(jobId: string, state: 'COMPLETED' | 'FAILED' | 'CANCELLED'): void {
    this.ended.push(`${jobId} ${state}`);
  }

  /** A task completed or failed in this transaction: the observer hears of it once it commits. */
  taskFinished(task: SettledTask, ok: boolean): void {
    const { startedAt, endedAt } = task;
    const durationMs = startedAt == null ? undefined : Math.max(0, (endedAt ?? new Date()).getTime() - startedAt.getTime());
    this.outcomes.push({ state: ok ? 'COMPLETED' : 'FAILED', ...(durationMs !== undefined ? { durationMs } : {}) });
  }

  /** The transaction committed: tells the observer what it finished. */
  committed(): void {
    if (this.outcomes.length === 0 || this.deps.observer === undefined) return;
    try {
      this.deps.observer.tasksFinished(this.outcomes.splice(0));
    } catch {
      // Metrics are never worth failing work that is already committed.
    }
  }

  /** Writes pending task records, so that queries of the tasks table see them. */
  async flushTasks(): Promise<void> {
    if (this.tasks.length === 0) return;
    const tasks = this.tasks;
    this.tasks = [];
    await insertTasks(this.tx, tasks);
  }

  async flush(): Promise<void> {
    await this.flushTasks();
    for (const queue of this.ready) await notify(this.tx, CHANNELS.work, queue);
    this.ready.clear();
    if (this.commands.length > 0) await this.deps.broker.sendMany(this.tx, QUEUES.jobs, this.commands.splice(0).map((data) => ({ data })));
    for (const [jobId, entry] of this.changes) {
      const head = this.heads.get(jobId);
      await applyJobChanges(this.tx, jobId, {
        patch: entry.patch,
        outputs: entry.outputs,
        leavesCreated: entry.leavesCreated,
        leavesFinished: entry.leavesFinished,
        recomputeProgress: head?.state === 'RUNNING',
        ...(entry.deleteAfterMs !== undefined ? { deleteAfterMs: entry.deleteAfterMs } : {}),
      });
    }
    this.changes.clear();
    for (const payload of this.ended.splice(0)) await notify(this.tx, CHANNELS.jobs, payload);
  }
}

/** PostgreSQL gave up one of two transactions that waited on each other; running it again is safe. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs `work` in one transaction with a session flushed before commit. Handlers are idempotent, so a
 * transaction PostgreSQL aborted for a deadlock (two coordinators moving one job tree from opposite
 * ends) is run again, from the start.
 */
export async function transact<T>(deps: CoordinatorDeps, work: (session: Session) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      let session: Session | undefined;
      const result = await deps.db.transaction(async (tx) => {
        session = new Session(deps, tx);
        const value = await work(session);
        await session.flush();
        return value;
      });
      session?.committed();
      return result;
    } catch (error) {
      if (!isRetryable(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  }
}

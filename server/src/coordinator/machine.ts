/**
 * State-machine executions, durably, as jobs. An execution is a job whose document holds the machine
 * and its input; it has no tasks until the machine reaches a Task state. Each time something happens
 * to it — it starts, one of its tasks ends, one of its waits comes due — the coordinator replays the
 * machine with the interpreter from the start, in the job's transaction:
 * - a Task state whose key has a finished task gets that task's result (its TWERK_OUTPUT, parsed as
 *   JSON when it is JSON) or its failure (States.TaskFailed, States.Timeout); one with no task yet gets
 *   a task record, queued for a worker like any other; one whose task is still running waits;
 * - a wait (a Wait state, a retry's delay) is a task of the private queue x-timers, completed by a
 *   coordinator when its run_after comes, so it survives restarts and costs no worker;
 * - Pass, Choice, Succeed and Fail cost nothing but the replay.
 * When the replay gets to the end the job completes with the machine's output (as JSON) or fails
 * with its error. The replay reads nothing while it runs — the job's steps are loaded first — so it
 * goes as far as it can within one turn of the event loop, and stops where it waits.
 */
import { parseMachine, runMachine, type JobDocument, type Machine, type TaskDocument, type TaskRequest, type TaskResult } from '@twerk/contract';
import type { JobHead } from '../datastore/jobs.ts';
import { newId } from '../datastore/ids.ts';
import { machineSteps, TIMER_QUEUE, type MachineStep, type NewTask } from '../datastore/tasks.ts';
import type { Session } from './session.ts';
import { failJob, type Finished } from './settle.ts';

/**
 * A job document that carries a machine: `machine` is the document as submitted and `input` the
 * execution's input, both as JSON text — jsonb would reorder their keys, and with them the keys of
 * every object the machine builds.
 */
export interface MachineJobDocument extends JobDocument {
  readonly machine?: string;
  readonly input?: string;
}

/** The task queue of Task states. */
const TASK_QUEUE = 'default';

const parsedMachines = new WeakMap<object, Machine>();

/** The machine of an execution, or undefined when the job is a native one. */
export async function machineOf(s: Session, job: JobHead): Promise<{ readonly machine: Machine; readonly input: unknown } | undefined> {
  const { document } = await s.body(job.id);
  const { machine: text, input } = document as MachineJobDocument;
  if (typeof text !== 'string') return undefined;
  let machine = parsedMachines.get(document);
  if (machine === undefined) {
    const parsed = parseMachine(JSON.parse(text) as unknown);
    // It was validated when submitted; a machine the contract no longer accepts fails the job.
    if (!parsed.ok) throw new Error(`the stored machine is no longer valid: ${parsed.error.message}`);
    machine = parsed.value;
    parsedMachines.set(document, machine);
  }
  return { machine, input: input === undefined ? {} : (JSON.parse(input) as unknown) };
}

export async function isExecution(s: Session, job: JobHead): Promise<boolean> {
  const { document } = await s.body(job.id);
  return typeof (document as MachineJobDocument).machine === 'string';
}

function outputOf(result: string | null): unknown {
  if (result === null || result === '') return null;
  try {
    return JSON.parse(result) as unknown;
  } catch {
    return result;
  }
}

/** The ASL error of a failed task: its timeout is States.Timeout, anything else States.TaskFailed. */
function failureOf(step: MachineStep): TaskResult {
  const cause = step.error ?? 'the task failed';
  return { ok: false, error: /^task timed out after /.test(cause) ? 'States.Timeout' : 'States.TaskFailed', cause };
}

const WAITING = Symbol('waiting');
/** What a replay hands the interpreter for something still under way: a promise that never settles. */
const pending = <T>(): Promise<T> => new Promise<T>(() => {});

function taskSpec(request: TaskRequest): TaskDocument {
  return {
    name: request.stateName,
    image: request.image,
    run: request.run,
    // The state's input reaches the task as JSON in $TWERK_INPUT.
    env: { ...(request.env ?? {}), TWERK_INPUT: JSON.stringify(request.input ?? null) },
    ...(request.timeoutSeconds !== undefined ? { timeout: `${request.timeoutSeconds}s` } : {}),
  };
}

/** Replays the execution as far as it goes; answers what ended with it (nothing: executions are never sub-jobs). */
export async function advanceMachine(s: Session, job: JobHead): Promise<Finished[]> {
  if (job.state !== 'RUNNING') return [];
  let execution: Awaited<ReturnType<typeof machineOf>>;
  try {
    execution = await machineOf(s, job);
  } catch (caught) {
    return failJob(s, job, (caught as Error).message, job.position);
  }
  if (execution === undefined) return [];
  const steps = new Map((await machineSteps(s.tx, job.id)).map((step) => [step.key, step]));
  let position = steps.size;
  const add = (key: string, fields: Pick<NewTask, 'name' | 'spec' | 'queue'> & Partial<NewTask>): void => {
    position += 1;
    const task = s.addTask({ id: newId(), jobId: job.id, parentId: null, position, sequence: 0, state: 'SCHEDULED', scheduledAt: new Date(), priority: 0, attempt: 1, machineKey: key, ...fields });
    steps.set(key, { key, id: task.id, state: 'SCHEDULED', result: null, error: null });
    s.announce(task.queue);
  };

  const runTask = (request: TaskRequest): Promise<TaskResult> => {
    const step = steps.get(request.key);
    if (step?.state === 'COMPLETED') return Promise.resolve({ ok: true, output: outputOf(step.result) });
    if (step?.state === 'FAILED') return Promise.resolve(failureOf(step));
    if (step === undefined) {
      add(request.key, { name: request.stateName, spec: taskSpec(request), queue: TASK_QUEUE });
      s.countLeaves(job.id, 1, 0);
    }
    return pending();
  };
  const sleep = (ms: number, key: string): Promise<void> => {
    const step = steps.get(key);
    if (step?.state === 'COMPLETED') return Promise.resolve();
    // Waits are not leaves (childCount 0): they do not count in the job's progress.
    if (step === undefined) add(key, { name: key, spec: { name: `wait ${ms} ms` }, queue: TIMER_QUEUE, runAfter: new Date(Date.now() + ms), childCount: 0 });
    return pending();
  };

  const replay = runMachine(execution.machine, execution.input, { runTask, sleep, executionName: job.id });
  // Everything the replay needs is in memory, so one turn of the event loop takes it as far as it goes.
  const outcome = await Promise.race([replay, new Promise<typeof WAITING>((resolve) => setImmediate(() => resolve(WAITING)))]);
  s.setJob(job, { position });
  if (outcome === WAITING) return [];
  if (outcome.status === 'FAILED') return failJob(s, job, outcome.cause !== undefined ? `${outcome.error}: ${outcome.cause}` : outcome.error, position);
  s.setJob(job, { state: 'COMPLETED', completedAt: new Date(), progress: 100, result: JSON.stringify(outcome.output ?? null) });
  s.jobEnded(job.id, 'COMPLETED');
  return [];
}

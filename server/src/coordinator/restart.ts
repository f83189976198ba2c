/**
 * Restarting a FAILED or CANCELLED job where it stopped (Tork #210 asked for it): the top-level task
 * at its position resumes. A command or sub-job task runs again as a new record; a parallel or each
 * keeps the children that completed and re-runs the others — at any depth, within its concurrency —
 * instead of starting over. Records of the failed attempts stay, as history.
 */
import type { TaskDocument } from '@twerk/contract';
import type { JobHead } from '../datastore/jobs.ts';
import { childrenOf, countLeaves, forgetUnfinishedSteps, latestTopLevelTask, updateTask, type TaskRecord } from '../datastore/tasks.ts';
import { advanceMachine, isExecution } from './machine.ts';
import { cancelTree } from './cancel.ts';
import type { Session } from './session.ts';
import { failJob, scheduleFrom, type Finished } from './settle.ts';
import { expand, expansionOutcome, FINISHED, failedWith, RUNNING, scopeOfRecord, startTask, type Child, type Placement, type Started } from './start.ts';

export type RestartOutcome = 'restarted' | 'not-restartable' | 'nothing-to-run';

export async function restart(s: Session, job: JobHead): Promise<{ outcome: RestartOutcome; finished: Finished[] }> {
  if (job.state !== 'FAILED' && job.state !== 'CANCELLED') return { outcome: 'not-restartable', finished: [] };
  if (await isExecution(s, job)) return { outcome: 'restarted', finished: await redrive(s, job) };
  const position = Math.max(1, job.position);
  if (position > job.taskCount) return { outcome: 'nothing-to-run', finished: [] };
  // Leaf counters start again from the records: what finished stays finished.
  const leaves = await countLeaves(s.tx, job.id);
  s.setJob(job, { state: 'RUNNING', error: null, failedAt: null, completedAt: null, position, leavesTotal: leaves.total, leavesDone: leaves.done });
  const { document } = await s.body(job.id);
  const template = document.tasks[position - 1]!;
  const at: Placement = { position, parentId: null, sequence: 0, scope: [], path: `tasks[${position - 1}]` };
  const latest = await latestTopLevelTask(s.tx, job.id, position);
  const started = latest ? await resume(s, job, latest, template, at) : await startTask(s, job, template, at);
  if (started.kind === 'running') return { outcome: 'restarted', finished: [] };
  return { outcome: 'restarted', finished: started.ok ? await scheduleFrom(s, job, position + 1) : await failJob(s, job, started.error, position) };
}

/**
 * An execution runs again from where it stopped (Step Functions calls it a redrive): the steps that
 * failed or were cancelled are forgotten, and the replay runs them again; what completed stays.
 */
async function redrive(s: Session, job: JobHead): Promise<Finished[]> {
  await forgetUnfinishedSteps(s.tx, job.id);
  const leaves = await countLeaves(s.tx, job.id);
  s.setJob(job, { state: 'RUNNING', error: null, failedAt: null, completedAt: null, leavesTotal: leaves.total, leavesDone: leaves.done });
  return advanceMachine(s, job);
}

/** Picks a task up from its last record: kept if it finished well, revived if a composite, else run again. */
async function resume(s: Session, job: JobHead, record: TaskRecord, template: TaskDocument, at: Placement): Promise<Started> {
  if (record.state === 'COMPLETED' || record.state === 'SKIPPED') return FINISHED;
  if (record.childCount !== null && (record.spec.parallel !== undefined || record.spec.each !== undefined)) return revive(s, job, record, at);
  return startTask(s, job, template, { ...at, replaces: true });
}

/** A composite that failed or was cancelled runs again from its children that did not complete. */
async function revive(s: Session, job: JobHead, record: TaskRecord, at: Placement): Promise<Started> {
  const latest = new Map<number, TaskRecord>();
  for (const child of await childrenOf(s.tx, record.id)) latest.set(child.sequence, child); // oldest first: the newest wins
  const { parallel, each } = record.spec;
  const children: Child[] = [];
  for (let sequence = 0; sequence < (record.childCount ?? 0); sequence += 1) {
    const previous = latest.get(sequence);
    const path = parallel ? `${at.path}.parallel.tasks[${sequence}]` : `${at.path}.each.task`;
    let template: TaskDocument;
    let placement: Placement;
    if (parallel) {
      template = parallel.tasks[sequence]!;
      placement = { position: record.position, parentId: record.id, sequence, scope: at.scope, evaluated: true, replaces: previous !== undefined, path };
    } else {
      if (previous === undefined) continue; // every item of an each is recorded at expansion
      const scope = scopeOfRecord(previous, at.scope);
      template = each!.task;
      placement = { position: record.position, parentId: record.id, sequence, scope, binding: scope[scope.length - 1]!, replaces: true, path };
    }
    if (previous?.state === 'COMPLETED' || previous?.state === 'SKIPPED') children.push({ template, placement, done: true });
    else if (previous === undefined) children.push({ template, placement });
    else children.push({ template, placement, start: () => resume(s, job, previous, template, placement) });
  }
  const concurrency = each?.concurrency !== undefined && each.concurrency > 0 ? each.concurrency : Number.POSITIVE_INFINITY;
  const expansion = await expand(s, job, record.spec, children, concurrency);
  const outcome = expansionOutcome(expansion);
  const now = new Date();
  await updateTask(s.tx, record.id, {
    state: outcome.state,
    completions: expansion.completions,
    failures: expansion.failures,
    progress: outcome.progress,
    error: outcome.error ?? null,
    failedAt: outcome.state === 'FAILED' ? now : null,
    completedAt: outcome.state === 'COMPLETED' ? now : null,
  });
  if (outcome.state === 'RUNNING') return RUNNING;
  if (outcome.state === 'COMPLETED') return FINISHED;
  if (expansion.failFastError !== undefined) await cancelTree(s, record.id);
  return failedWith(outcome.error ?? 'failed', record.name);
}

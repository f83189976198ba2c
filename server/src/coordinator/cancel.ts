/**
 * Cancelling: a job, its active tasks and, through its subjob tasks, its attached sub-jobs at any
 * depth; or the subtree under a composite task. Tasks a worker runs are marked CANCELLED here; the
 * worker notices within its cancel poll and stops the process.
 */
import { lockActiveSubjobs, type JobHead } from '../datastore/jobs.ts';
import { cancelDescendants, settleActiveTasks } from '../datastore/tasks.ts';
import type { Session } from './session.ts';

/** Cancels the sub-jobs these (just cancelled) tasks had started, with everything under them. */
async function cancelSubjobsOf(s: Session, taskIds: readonly string[]): Promise<void> {
  if (taskIds.length === 0) return;
  const subjobs = await lockActiveSubjobs(s.tx, taskIds);
  for (const head of (await s.lockJobs(subjobs)).values()) await cancelJobTree(s, head);
}

/** Cancels the active tasks under a composite task, and their sub-jobs. */
export async function cancelTree(s: Session, parentTaskId: string): Promise<void> {
  await s.flushTasks();
  await cancelSubjobsOf(s, await cancelDescendants(s.tx, parentTaskId));
}

/** Stops a job's active tasks (a job that failed or was cancelled must leave nothing running). */
export async function stopActiveTasks(s: Session, job: JobHead): Promise<void> {
  await s.flushTasks();
  await cancelSubjobsOf(s, await settleActiveTasks(s.tx, job.id, 'CANCELLED'));
}

export async function cancelJobTree(s: Session, job: JobHead): Promise<void> {
  if (job.state !== 'PENDING' && job.state !== 'SCHEDULED' && job.state !== 'RUNNING') return;
  s.setJob(job, { state: 'CANCELLED', completedAt: new Date() });
  s.jobEnded(job.id, 'CANCELLED');
  await stopActiveTasks(s, job);
}

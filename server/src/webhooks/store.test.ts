/**
 * The outbox in the database, on PostgreSQL and PGlite: what the triggers capture (and what they
 * leave alone), and how deliveries are claimed — in order per webhook, under a lease, fenced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDocument } from '@twerk/contract';
import { until } from '../cli/testing.ts';
import { migrate } from '../db/migrate.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { newId } from '../datastore/ids.ts';
import { applyJobChanges, deleteJobTrees, insertJob } from '../datastore/jobs.ts';
import { completeTasks, insertTasks, setProgress, type NewTask } from '../datastore/tasks.ts';
import { Deliverer } from './deliverer.ts';
import type { PlannedDelivery } from './expansion.ts';
import { claimDeliveries, deleteEvents, insertDeliveries, markDelivered, nextDueInMs, oldestEvents, purgeFinished, releaseDelivery, scheduleRetry } from './store.ts';

describe.each(TEST_BACKENDS)('the webhook outbox on %s', (_name, create) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await create();
    await migrate(test.db);
  }, 60_000);
  afterAll(() => test?.dispose());

  async function job(webhooks?: JobDocument['webhooks']): Promise<string> {
    const id = newId();
    await insertJob(test.db, {
      id, parentId: null, name: 'j', description: null, tags: [], state: 'PENDING', createdBy: null, position: 0, taskCount: 1,
      document: { name: 'j', tasks: [{ name: 't', run: 'true' }], ...(webhooks !== undefined ? { webhooks } : {}) } as JobDocument,
      inputs: {}, secrets: {}, context: { tasks: {} }, output: null,
    });
    return id;
  }

  function tasks(jobId: string, count: number, queue = 'default'): NewTask[] {
    return Array.from({ length: count }, (_, index): NewTask => ({
      id: newId(), jobId, parentId: null, position: 1, sequence: index, name: `t${index}`, state: 'SCHEDULED', spec: { name: `t${index}`, run: 'true' },
      queue, priority: 0, attempt: 1, scheduledAt: new Date(),
    }));
  }

  async function drain(jobId?: string) {
    const events = (await oldestEvents(test.db, 100_000)).filter((event) => jobId === undefined || event.jobId === jobId);
    await deleteEvents(test.db, events.map((event) => event.seq));
    return events;
  }

  it('capture nothing for jobs without webhooks, even a fan-out of a thousand tasks', async () => {
    await drain();
    const id = await job();
    const fanOut = tasks(id, 1000);
    await insertTasks(test.db, fanOut);
    await completeTasks(test.db, fanOut.map((task) => ({ id: task.id, result: 'ok', at: new Date() })));
    await applyJobChanges(test.db, id, { patch: { state: 'COMPLETED', progress: 100 } });
    expect(await drain()).toEqual([]);
  });

  it('capture a job state change once per statement, and a progress change, but not other updates', async () => {
    const id = await job([{ url: 'http://127.0.0.1:1/hook' }]);
    await applyJobChanges(test.db, id, { patch: { state: 'RUNNING', startedAt: new Date() } });
    await applyJobChanges(test.db, id, { patch: {}, outputs: { x: '1' } });
    await applyJobChanges(test.db, id, { patch: { progress: 50 } });
    // A job webhook does not make its tasks' changes events.
    await insertTasks(test.db, tasks(id, 3));
    const events = await drain(id);
    expect(events.map((event) => [event.taskId, event.previousState, event.state, event.stateChanged, event.progressChanged])).toEqual([
      [null, null, 'PENDING', true, false],
      [null, 'PENDING', 'RUNNING', true, false],
      [null, 'RUNNING', 'RUNNING', false, true],
    ]);
    expect(events[1]!.snapshot).toMatchObject({ state: 'RUNNING', position: 0, taskCount: 1, progress: 0 });
    expect(typeof events[1]!.snapshot['startedAt']).toBe('string');
    expect(Number(events[1]!.seq)).toBeGreaterThan(Number(events[0]!.seq));
  });

  it('capture the task changes of a job with task webhooks, one row per task, but never of private x- queues', async () => {
    const id = await job([{ url: 'http://127.0.0.1:1/hook', event: 'task.Progress' }]);
    const many = tasks(id, 200);
    await insertTasks(test.db, [...many, ...tasks(id, 2, 'x-timers')]);
    await setProgress(test.db, many[0]!.id, 40);
    await completeTasks(test.db, many.map((task) => ({ id: task.id, result: 'ok', at: new Date() })));
    const events = await drain(id);
    // The job's own changes are not captured: it has no job webhook.
    expect(events.filter((event) => event.taskId === null)).toEqual([]);
    expect(events.filter((event) => event.previousState === null)).toHaveLength(200);
    expect(events.filter((event) => event.progressChanged && !event.stateChanged).map((event) => event.snapshot['progress'])).toEqual([40]);
    const done = events.filter((event) => event.state === 'COMPLETED');
    expect(done).toHaveLength(200);
    expect(done[0]!.snapshot).toMatchObject({ id: many[0]!.id, jobId: id, name: 't0', state: 'COMPLETED', result: 'ok', progress: 100, position: 1 });
  });

  function planned(jobId: string, webhook: number, seq: number): PlannedDelivery {
    return { id: newId(), jobId, webhook, seq: String(seq), event: 'job.StateChange', url: 'http://127.0.0.1:1/', headers: null, payload: '{}' };
  }

  it('let a delivery go only after the earlier ones of its webhook, and give a dead claim back after its lease', async () => {
    const jobId = newId();
    const first = planned(jobId, 0, 1);
    const second = planned(jobId, 0, 2);
    const other = planned(jobId, 1, 3);
    await insertDeliveries(test.db, [second, first, other]);
    const claimed = (await claimDeliveries(test.db, 10, 60_000)).filter((delivery) => delivery.jobId === jobId);
    expect(claimed.map((delivery) => delivery.id).sort()).toEqual([first.id, other.id].sort());
    // While the first is out (or waiting for a retry), the second waits.
    expect((await claimDeliveries(test.db, 10, 60_000)).filter((delivery) => delivery.jobId === jobId)).toEqual([]);
    const firstClaim = claimed.find((delivery) => delivery.id === first.id)!;
    await scheduleRetry(test.db, { id: first.id, attempts: firstClaim.attempts, status: 500, error: 'the receiver answered 500' }, 0);
    const retried = (await claimDeliveries(test.db, 10, 1)).filter((delivery) => delivery.jobId === jobId);
    expect(retried.map((delivery) => [delivery.id, delivery.attempts])).toEqual([[first.id, 2]]);
    // That claim's holder dies: once its 1 ms lease is over, the delivery is claimed again, and the dead holder's late word counts for nothing.
    const reclaimed = await until('the lease to run out', async () => {
      const again = (await claimDeliveries(test.db, 10, 60_000)).filter((delivery) => delivery.jobId === jobId);
      return again.length > 0 ? again : undefined;
    }, 5_000, 10);
    expect(reclaimed.map((delivery) => [delivery.id, delivery.attempts])).toEqual([[first.id, 3]]);
    await markDelivered(test.db, { id: first.id, attempts: 2, status: 200, error: null });
    expect((await claimDeliveries(test.db, 10, 60_000)).filter((delivery) => delivery.jobId === jobId)).toEqual([]);
    await markDelivered(test.db, { id: first.id, attempts: 3, status: 200, error: null });
    const next = (await claimDeliveries(test.db, 10, 60_000)).filter((delivery) => delivery.jobId === jobId);
    expect(next.map((delivery) => delivery.id)).toEqual([second.id]);
    // A stopping process gives its claim back uncounted, due at once.
    await releaseDelivery(test.db, second.id, next[0]!.attempts);
    expect(await nextDueInMs(test.db)).toBe(0);
    const again = (await claimDeliveries(test.db, 10, 60_000)).filter((delivery) => delivery.jobId === jobId);
    expect(again.map((delivery) => [delivery.id, delivery.attempts])).toEqual([[second.id, 1]]);
    await markDelivered(test.db, { id: second.id, attempts: 1, status: 200, error: null });
    await markDelivered(test.db, { id: other.id, attempts: 1, status: 200, error: null });
    expect(await purgeFinished(test.db, 60_000, 1000)).toBe(0);
    expect(await purgeFinished(test.db, 0, 2)).toBe(2);
    expect(await purgeFinished(test.db, 0, 1000)).toBeGreaterThanOrEqual(1);
  });

  it('drop the events of a job deleted before they were expanded', async () => {
    await drain();
    const id = await job([{ url: 'http://127.0.0.1:1/hook' }]);
    expect((await oldestEvents(test.db, 10)).map((event) => event.jobId)).toEqual([id]);
    await deleteJobTrees(test.db, [id]);
    const deliverer = await Deliverer.start({ db: test.db });
    try {
      await until('the event to be expanded', async () => ((await oldestEvents(test.db, 10)).length === 0 ? true : undefined), 10_000, 20);
    } finally {
      await deliverer.stop();
    }
    const deliveries = await test.db.query('SELECT id FROM twerk.webhook_deliveries WHERE job_id = $1', [id]);
    expect(deliveries.rows).toEqual([]);
  });
});

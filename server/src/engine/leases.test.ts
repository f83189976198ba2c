/**
 * Work claims are leases: a worker that stops renewing its claim (it died) loses the task, which runs
 * again as a new attempt; a late report from the lost attempt changes nothing; a live worker renews
 * its lease for as long as the task runs. Coordinator and worker as separate parts talking through
 * the broker, on PostgreSQL and PGlite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_WORKER } from '../coordinator/coordinator.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { claimReady, tasksOfJob } from '../datastore/tasks.ts';
import type { Engine } from './engine.ts';
import { engineOn, jobDocument } from './testing.ts';
import { shellRunner } from './shell-runner.ts';
import { brokerSink, startWorker, type Worker } from './worker.ts';

const job = jobDocument;

describe.each(TEST_BACKENDS)('leases on %s', (_name, create) => {
  let test: TestDatabase;
  let coordinator: Engine;
  let worker: Worker | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-leases-'));

  beforeAll(async () => {
    test = await create();
    coordinator = await engineOn(test, undefined, { maintenanceIntervalMs: 100 });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await coordinator?.stop();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a task again as a new attempt when its worker stops renewing the lease, and ignores the lost attempt', async () => {
    const id = await coordinator.submit(job('name: lost\noutput: "{{ tasks.v }}"\ntasks:\n  - name: t\n    queue: leases\n    var: v\n    run: echo -n second > $TWERK_OUTPUT\n'));
    const ghost = async () => {
      for (;;) {
        const [claimed] = await claimReady(test.db, { queues: ['leases'], limit: 1, nodeId: 'ghost', leaseMs: 300 });
        if (claimed) return claimed;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const lost = await ghost(); // a worker that claims and is never heard from again
    const retried = async () => (await tasksOfJob(test.db, id)).find((task) => task.attempt === 2);
    const started = Date.now();
    while ((await retried()) === undefined) {
      if (Date.now() - started > 15_000) throw new Error('the lost task was never put back');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The lost worker wakes up and reports: too late, its attempt is over.
    await brokerSink(test.db, coordinator.broker)([{ type: 'completed', taskId: lost.id, result: 'first', at: Date.now() }]);
    worker = await startWorker({ db: test.db, broker: coordinator.broker, runner: shellRunner({ baseDir: scratch }), nodeId: 'alive', queues: { leases: 1 } });
    const done = await coordinator.waitForJob(id, 20_000);
    expect(done).toMatchObject({ state: 'COMPLETED', result: 'second' });
    const attempts = await tasksOfJob(test.db, id);
    expect(attempts.map((task) => [task.attempt, task.state, task.nodeId, task.error])).toEqual([
      [1, 'FAILED', 'ghost', LOST_WORKER],
      [2, 'COMPLETED', 'alive', null],
    ]);
  }, 40_000);

  it('keeps a long task with its worker while the worker renews the lease', async () => {
    await worker?.stop();
    worker = await startWorker({ db: test.db, broker: coordinator.broker, runner: shellRunner({ baseDir: scratch }), nodeId: 'steady', queues: { leases: 1 }, leaseMs: 300 });
    const id = await coordinator.submit(job('name: long\ntasks:\n  - name: t\n    queue: leases\n    run: sleep 2\n'));
    const done = await coordinator.waitForJob(id, 20_000);
    expect(done).toMatchObject({ state: 'COMPLETED' });
    expect((await tasksOfJob(test.db, id)).map((task) => [task.attempt, task.state])).toEqual([[1, 'COMPLETED']]);
  }, 40_000);
});

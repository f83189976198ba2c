/**
 * The README's jobs run: every YAML job block in it runs on the engine (embedded PGlite, shell runtime)
 * to COMPLETED, with the result its `# result:` line states; the blocks whose every task names an image
 * run again with each task in a container (podman). (Its state machines are validated by test/readme;
 * running them is the ASL milestone's.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type JobDocument, type TaskDocument } from '@twerk/contract';
import { ContainerRuntime } from '@twerk/worker';
import { podmanSocket } from '../../../worker/src/runtime/testing-podman.ts';
import { containerRunner, dockerOf } from './container-runner.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteTestDatabase, type TestDatabase } from '../db/testing.ts';
import type { Engine } from './engine.ts';
import { engineOn } from './testing.ts';
import { shellRunner } from './shell-runner.ts';

const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
const jobs = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((match) => {
  const block = match[1]!;
  const parsed = parseDocument(block, 'text/yaml');
  if (!parsed.ok || parsed.value.family !== 'job') return [];
  const result = /^# result: ?(.*)$/m.exec(block);
  return [{ name: parsed.value.job.name, job: parsed.value.job, result: result ? result[1]! : undefined }];
});

describe("the README's jobs", () => {
  let test: TestDatabase;
  let engine: Engine;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-readme-'));

  beforeAll(async () => {
    test = await createPgliteTestDatabase();
    engine = await engineOn(test, { runner: shellRunner({ baseDir: scratch }), queues: { default: 4 }, nodeId: 'readme' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('has jobs, each stating its result', () => {
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    expect(jobs.filter((entry) => entry.result === undefined).map((entry) => entry.name)).toEqual([]);
  });

  it.each(jobs.map((entry) => [entry.name, entry] as const))('runs "%s" to its result', async (_name, entry) => {
    const done = await engine.waitForJob(await engine.submit(entry.job as JobDocument), 60_000);
    if (done === 'timeout' || done === undefined) throw new Error('the job did not finish');
    expect(done.error ?? '').toBe('');
    expect(done.state).toBe('COMPLETED');
    expect(done.result ?? '').toBe(entry.result);
  }, 90_000);
});

/** Every task that runs a command names an image (composites only hold such tasks). */
function everyTaskHasImage(tasks: readonly TaskDocument[]): boolean {
  return tasks.every((task) =>
    task.parallel ? everyTaskHasImage(task.parallel.tasks) : task.each ? everyTaskHasImage([task.each.task]) : task.subjob ? everyTaskHasImage(task.subjob.tasks) : task.image !== undefined,
  );
}

describe("the README's container jobs, on podman", () => {
  const containerJobs = jobs.filter((entry) => everyTaskHasImage(entry.job.tasks));
  let test: TestDatabase;
  let engine: Engine;

  beforeAll(async () => {
    test = await createPgliteTestDatabase();
    const runtime = new ContainerRuntime({ docker: dockerOf(`unix://${podmanSocket()}`), owner: `readme-${process.pid}` });
    engine = await engineOn(test, { runner: containerRunner(runtime), queues: { default: 4 }, nodeId: 'readme-containers' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
  });

  it('has container jobs', () => {
    expect(containerJobs.map((entry) => entry.name)).toEqual(expect.arrayContaining(['hello', 'in a container']));
  });

  it.each(containerJobs.map((entry) => [entry.name, entry] as const))('runs "%s" to its result in containers', async (_name, entry) => {
    const done = await engine.waitForJob(await engine.submit(entry.job as JobDocument), 90_000);
    if (done === 'timeout' || done === undefined) throw new Error('the job did not finish');
    expect(done.error ?? '').toBe('');
    expect(done.state).toBe('COMPLETED');
    expect(done.result ?? '').toBe(entry.result);
  }, 120_000);
});

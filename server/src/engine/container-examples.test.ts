/**
 * The container examples of examples/ run to their results with every task in a container: podman's
 * Docker-compatible service on this machine, the local test image standing in for ubuntu:mantic (no
 * registry is reachable). The examples that call a local API on 127.0.0.1 with curl from their tasks
 * (Pokémon, chaos engineering) or need images with ffmpeg and the AWS CLI (split_and_stitch) run with the
 * shell runtime in examples.test.ts: their images are not here to pull.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobDocument } from '@twerk/contract';
import { ContainerRuntime } from '@twerk/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteTestDatabase, type TestDatabase } from '../db/testing.ts';
import { getJob, type JobRecord } from '../datastore/jobs.ts';
import { tasksOfJob } from '../datastore/tasks.ts';
import { containerRunner, dockerOf, routedRunner } from './container-runner.ts';
import type { Engine } from './engine.ts';
import { shellRunner } from './shell-runner.ts';
import { engineOn, jobDocument } from './testing.ts';
import { podmanSocket } from '../../../worker/src/runtime/testing-podman.ts';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const example = (name: string): JobDocument => jobDocument(readFileSync(join(examples, name)));

describe('the container examples, on podman', () => {
  let test: TestDatabase;
  let engine: Engine;
  const docker = dockerOf(`unix://${podmanSocket()}`);
  const owner = `examples-${process.pid}`;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-container-examples-'));

  beforeAll(async () => {
    test = await createPgliteTestDatabase();
    const runtime = new ContainerRuntime({ docker, owner });
    engine = await engineOn(test, { runner: routedRunner({ podman: containerRunner(runtime), shell: shellRunner({ baseDir: scratch }) }, 'podman'), queues: { default: 4 }, nodeId: 'containers' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function run(document: JobDocument): Promise<JobRecord> {
    const id = await engine.submit(document);
    for (;;) {
      const job = await getJob(test.db, id);
      if (job && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.state)) return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function leftovers(): Promise<number> {
    const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`io.twerk.owner=${owner}`] }) });
    return containers.length;
  }

  it('hello.yaml answers "hello world" from its container', async () => {
    expect(await run(example('hello.yaml'))).toMatchObject({ state: 'COMPLETED', result: 'hello world' });
  }, 60_000);

  it('timeout.yaml fails its 10 s container at 5 s and removes it', async () => {
    expect(await run(example('timeout.yaml'))).toMatchObject({ state: 'FAILED', error: 'task timed out after 5s' });
    expect(await leftovers()).toBe(0);
  }, 60_000);

  it('retry.yaml (bash -c entrypoint) ends heads, or tails after three attempts', async () => {
    const job = await run(example('retry.yaml'));
    const attempts = await tasksOfJob(test.db, job.id);
    if (job.state === 'COMPLETED') expect(attempts.at(-1)?.result).toBe('heads');
    else expect(attempts.map((task) => [task.attempt, task.result])).toEqual([[1, 'tails'], [2, 'tails'], [3, 'tails']]);
  }, 60_000);

  it('each.yaml runs a container per item of both loops, each storing its item', async () => {
    const job = await run(example('each.yaml'));
    expect(job.state).toBe('COMPLETED');
    // sequence(1,5) is 1…4, as in Tork; composite parents have no result.
    const results = (await tasksOfJob(test.db, job.id)).map((task) => task.result).filter((result) => typeof result === 'string' && result !== '');
    expect(results.sort()).toEqual(['1', '1', '2', '2', '3', '3', '4', '4']);
  }, 120_000);

  it.each(['parallel.yaml', 'subjob.yaml', 'bash-quick.yaml', 'bash-each.yaml', 'bash-pipeline.yaml', 'bash-subjob.yaml', 'bash-ci-demo.yaml', 'bash-ci-pipeline.yaml'])(
    '%s completes',
    async (name) => {
      const job = await run(example(name));
      expect(job.error ?? '').toBe('');
      expect(job.state).toBe('COMPLETED');
    },
    180_000,
  );

  it('a task may ask for the shell runtime on a podman worker', async () => {
    const job = await run(
      jobDocument(
        'name: mixed\ntasks:\n  - name: in a container\n    image: ubuntu:mantic\n    var: where\n    run: echo -n "$(cat /etc/hostname) $(ls /twerk | tr \'\\n\' \' \')" > $TWERK_OUTPUT\n  - name: on the worker\n    runtime: shell\n    env: { WHERE: "{{ tasks.where }}" }\n    run: echo -n "$WHERE, then $TWERK_OUTPUT" > $TWERK_OUTPUT\n',
      ),
    );
    expect(job.state).toBe('COMPLETED');
    const [inContainer, onWorker] = await tasksOfJob(test.db, job.id);
    expect(inContainer?.result).toMatch(/^[0-9a-f]{12} entrypoint output progress workdir $/);
    // The shell task's output file is on the worker, in its task directory.
    expect(onWorker?.result?.startsWith(`${inContainer?.result}, then ${scratch}/task-`)).toBe(true);
  }, 60_000);

  it('leaves no container behind', async () => {
    expect(await leftovers()).toBe(0);
  });
});

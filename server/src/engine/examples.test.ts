/**
 * The examples in examples/ run to their documented results, on PostgreSQL and on embedded PGlite,
 * with the shell runtime: the Pokémon ones against a local stand-in for their API, split_and_stitch
 * against a local stand-in for S3 with the machine's ffmpeg, jq, python and AWS CLI (tools/system-deps.sh).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobDocument } from '@twerk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { getJob, type JobRecord } from '../datastore/jobs.ts';
import { tasksOfJob } from '../datastore/tasks.ts';
import type { Engine } from './engine.ts';
import { engineOn, jobDocument } from './testing.ts';
import { shellRunner } from './shell-runner.ts';
import { startS3StandIn, type S3StandIn } from './testing-s3.ts';
import { startPokeApiStandIn } from './testing-pokeapi.ts';

async function exec(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(command, args, { encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout))));
}

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');

const example = (name: string): JobDocument => jobDocument(readFileSync(join(examples, name)));

// The Pokémon examples call a local Pokémon API on 127.0.0.1:8080; this stands in for it.
let pokeApi: Server;
beforeAll(async () => {
  pokeApi = await startPokeApiStandIn();
}, 300_000);
afterAll(() => new Promise<void>((resolve) => pokeApi.close(() => resolve())));

describe.each(TEST_BACKENDS)('the sequential examples on %s', (_name, create) => {
  let test: TestDatabase;
  let engine: Engine;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-examples-'));

  beforeAll(async () => {
    test = await create();
    engine = await engineOn(test, { runner: shellRunner({ baseDir: scratch }), queues: { default: 4 }, nodeId: 'examples' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function run(name: string): Promise<JobRecord> {
    const id = await engine.submit(example(name));
    for (;;) {
      const job = await getJob(test.db, id);
      if (job && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.state)) return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('hello.yaml answers "hello world"', async () => {
    expect(await run('hello.yaml')).toMatchObject({ state: 'COMPLETED', result: 'hello world' });
  }, 30_000);

  it('hello-shell.yaml completes', async () => {
    expect(await run('hello-shell.yaml')).toMatchObject({ state: 'COMPLETED' });
  }, 30_000);

  it('bash-quick.yaml completes', async () => {
    expect(await run('bash-quick.yaml')).toMatchObject({ state: 'COMPLETED' });
  }, 30_000);

  it('timeout.yaml fails its 10 s task at 5 s', async () => {
    const job = await run('timeout.yaml');
    expect(job).toMatchObject({ state: 'FAILED', error: 'task timed out after 5s' });
  }, 30_000);

  it('retry.yaml ends heads, or tails after three attempts', async () => {
    const job = await run('retry.yaml');
    const attempts = await tasksOfJob(test.db, job.id);
    if (job.state === 'COMPLETED') expect(attempts.at(-1)?.result).toBe('heads');
    else expect(attempts.map((task) => [task.attempt, task.result])).toEqual([[1, 'tails'], [2, 'tails'], [3, 'tails']]);
  }, 60_000);

  it('bash-retry.yaml flips until heads (or six tails) and then continues', async () => {
    const job = await run('bash-retry.yaml');
    const tasks = await tasksOfJob(test.db, job.id);
    const flips = tasks.filter((task) => task.position === 1);
    if (job.state === 'COMPLETED') {
      expect(flips.at(-1)?.state).toBe('COMPLETED');
      expect(tasks.at(-1)).toMatchObject({ position: 2, state: 'COMPLETED' });
    } else {
      expect(flips).toHaveLength(6);
    }
  }, 90_000);

  it('twerk-noop-100.yaml runs its 100 tasks in order', async () => {
    const job = await run('twerk-noop-100.yaml');
    expect(job).toMatchObject({ state: 'COMPLETED', position: 100, progress: 100 });
    expect((await tasksOfJob(test.db, job.id)).map((task) => task.name)).toEqual(Array.from({ length: 100 }, (_, index) => `noop-${String(index + 1).padStart(3, '0')}`));
  }, 60_000);

  it('twerk-pokemon-shell-100.yaml fetches its 100 Pokémon', async () => {
    expect(await run('twerk-pokemon-shell-100.yaml')).toMatchObject({ state: 'COMPLETED', position: 100 });
  }, 60_000);

  it.each(['bash-pipeline.yaml', 'bash-ci-pipeline.yaml', 'bash-ci-demo.yaml', 'pokemon-benchmark.yaml', 'twerk-chaos-engineering.yaml', 'twerk-massive-parallel.yaml'])('%s completes', async (name) => {
    const job = await run(name);
    expect(job.error ?? '').toBe('');
    expect(job.state).toBe('COMPLETED');
  }, 90_000);
});

describe.each(TEST_BACKENDS)('split_and_stitch.yaml on %s', (_name, create) => {
  let test: TestDatabase;
  let engine: Engine;
  let s3: S3StandIn;
  // Its tasks mount a volume on /tmp, so their directories must live elsewhere.
  const scratch = mkdtempSync(join('/var/tmp', 'twerk-stitch-'));
  chmodSync(scratch, 0o755);

  beforeAll(async () => {
    s3 = await startS3StandIn();
    const master = join(scratch, 'master.mov');
    await exec('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=65:size=160x120:rate=10', '-movflags', '+faststart', master]);
    s3.put('master', 'master.mov', readFileSync(master));
    test = await create();
    // HOME reaches the tasks as middleware.task.hostenv.vars would pass it: the AWS CLI and python may be pyenv shims.
    engine = await engineOn(test, { runner: shellRunner({ baseDir: join(scratch, 'tasks'), hostEnv: ['HOME'] }), queues: { default: 4 }, nodeId: 'stitch' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
    await s3?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('splits the video into chunks, transcodes them in parallel and stitches them back together', async () => {
    const document = example('split_and_stitch.yaml');
    // As the example says: point endpointURL at your S3 server.
    const id = await engine.submit({ ...document, inputs: { ...document.inputs, endpointURL: s3.endpoint } });
    const done = await engine.waitForJob(id, 180_000);
    if (done === 'timeout' || done === undefined) throw new Error('split and stitch did not finish');
    expect(done.error ?? '').toBe('');
    expect(done.state).toBe('COMPLETED');
    const outputs = done.context.tasks ?? {};
    const chunks = JSON.parse(outputs['chunks'] ?? '[]') as { start: number; length: number }[];
    expect(chunks.map((chunk) => Math.round(chunk.length))).toEqual([30, 30, 5]);
    const bucket = outputs['bucketName']!;
    expect([...s3.objects.keys()].filter((key) => key.startsWith(`${bucket}/`)).sort()).toEqual([`${bucket}/chunks/chunk_0.mp4`, `${bucket}/chunks/chunk_1.mp4`, `${bucket}/chunks/chunk_2.mp4`, `${bucket}/output.mp4`]);
    const stitched = join(scratch, 'output.mp4');
    writeFileSync(stitched, s3.objects.get(`${bucket}/output.mp4`)!);
    const duration = Number(await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', stitched]));
    expect(duration).toBeGreaterThan(63);
    expect(duration).toBeLessThan(67);
  }, 200_000);
});

/**
 * examples/sdk holds a program for every example document of examples/ (the top level and docs/): each builds
 * its document with @twerk/sdk's builders, and the built document is exactly what the server reads from the
 * YAML. Run as programs against a real standalone server (PGlite in memory, shell runtime), the jobs reach the
 * examples' results, the state machines run as executions to theirs, and the scheduled jobs are created (each
 * program prints its schedule and deletes it again).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { parseDocument, parseScheduledJobDocument, readDocument } from '@twerk/contract';
import { createClient, type Job, type TwerkClient } from '@twerk/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPokeApiStandIn } from '../../server/src/engine/testing-pokeapi.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const examplesDir = join(import.meta.dirname, '..', '..', 'examples');
const programsDir = join(examplesDir, 'sdk');

/** `name.ext` files of a folder and of its docs/ folder, as paths relative to it. */
function filesOf(dir: string, ext: string): string[] {
  const here = (sub: string) =>
    readdirSync(join(dir, sub), { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(ext))
      .map((entry) => join(sub, entry.name));
  return [...here(''), ...here('docs')].sort();
}

const examples = filesOf(examplesDir, '.yaml');
const programs = filesOf(programsDir, '.ts').filter((name) => name !== 'run.ts');
const yamlOf = (program: string): string => program.replace(/\.ts$/, '.yaml');

type Kind = 'job' | 'scheduled job' | 'machine';

function tree(yaml: string | Uint8Array): Record<string, unknown> {
  const read = readDocument(yaml, 'text/yaml');
  if (!read.ok) throw new Error(read.error.message);
  return read.value as Record<string, unknown>;
}

/** What run.ts does with a document: machines and jobs run, scheduled jobs (`schedule` or `cron`) are created. */
function kindOf(document: Record<string, unknown>): Kind {
  if ('states' in document) return 'machine';
  return 'schedule' in document || 'cron' in document ? 'scheduled job' : 'job';
}

/**
 * The document as the server reads it: a job as POST /jobs parses it, a scheduled job as POST /scheduled-jobs
 * does, and a machine as written (the machine builders keep the document as written; parsing it fills in defaults).
 */
function asServerReads(yaml: string | Uint8Array): unknown {
  const document = tree(yaml);
  switch (kindOf(document)) {
    case 'machine':
      return document;
    case 'scheduled job': {
      const scheduled = parseScheduledJobDocument(document);
      if (!scheduled.ok) throw new Error(scheduled.error.message);
      return scheduled.value;
    }
    case 'job': {
      const parsed = parseDocument(yaml, 'text/yaml');
      if (!parsed.ok || parsed.value.family !== 'job') throw new Error(parsed.ok ? 'not a job' : parsed.error.message);
      return parsed.value.job;
    }
  }
}

describe('the example programs', () => {
  it('are one per example document, and none without one', () => {
    expect(examples.length).toBeGreaterThan(40);
    expect(programs.map(yamlOf).sort()).toEqual(examples);
  });

  it.each(programs)('%s builds the document the server reads from its YAML', async (program) => {
    const built = (await import(join(programsDir, program))).default as { toYAML(): string };
    expect(built).toEqual(asServerReads(readFileSync(join(examplesDir, yamlOf(program)))));
    expect(asServerReads(built.toYAML())).toEqual(built);
  });
});

// --- Running them ------------------------------------------------------------------------------------------

interface Outcome {
  readonly code: number;
  /** The JSON line run.ts prints. */
  readonly printed: Record<string, unknown>;
}

let server: ServerProcess;
let client: TwerkClient;
/** Tasks mount volumes on /tmp (split_and_stitch, the mounts example), so their directories live elsewhere. */
const workerDir = mkdtempSync(join('/var/tmp', 'twerk-sdk-examples-'));
chmodSync(workerDir, 0o755);

beforeAll(async () => {
  // tork-defaults.yaml sends its task to the `highcpu` queue, which needs a worker of its own, as in Tork.
  server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:4,highcpu:1', TWERK_WORKER_DIR: join(workerDir, 'tasks') });
  client = createClient({ baseUrl: server.base });
});

afterAll(async () => {
  client?.close();
  await server?.stop();
  rmSync(workerDir, { recursive: true, force: true });
});

/** At most `limit` programs at a time: each is a Node process of its own, next to the server, on few cores. */
function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
const slot = limiter(4);

async function runProgram(program: string, env: Readonly<Record<string, string>> = {}): Promise<Outcome> {
  const { code, stdout, stderr } = await slot(
    () =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [join(programsDir, program)], { env: { ...process.env, TWERK_ENDPOINT: server.base, ...env }, encoding: 'utf8' }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      }),
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`${program} printed no result (exit ${code}):\n${stdout}\n${stderr}`);
  return { code, printed: JSON.parse(line) as Record<string, unknown> };
}

/** Runs a job's program and answers the finished job as the server has it, with every task record. */
async function runJob(program: string): Promise<{ code: number; job: Job }> {
  const { code, printed } = await runProgram(program);
  const job = await client.jobs.get(String(printed['id']));
  expect(printed).toEqual({ id: job.id, state: job.state, result: job.result ?? null, error: job.error ?? null });
  return { code, job };
}

async function expectCompleted(program: string): Promise<Job> {
  const { code, job } = await runJob(program);
  expect({ state: job.state, error: job.error }).toEqual({ state: 'COMPLETED', error: undefined });
  expect(code).toBe(0);
  return job;
}

async function expectFailed(program: string, error: RegExp): Promise<Job> {
  const { code, job } = await runJob(program);
  expect(job.state).toBe('FAILED');
  expect(job.error).toMatch(error);
  expect(code).toBe(1);
  return job;
}

const attemptsOf = (job: Job, position: number) => job.execution.filter((task) => task.position === position && task.parentId === undefined);

/** Programs whose result says more than COMPLETED; every other job's program must complete. */
const COMPLETED_WITH: Readonly<Record<string, (job: Job) => void>> = {
  'hello.ts': (job) => expect(job.result).toBe('hello world'),
  'bash-pipeline.ts': (job) => expect(job.result).toMatch(/^Final: done at .+\n$/),
  'bash-subjob.ts': (job) => expect(job.result).toBe('BUILD_OK'),
  // sequence(1,5) is 1..4; both loops store eachTask0..3, the second over the first.
  'each.ts': (job) => expect(job.context?.tasks).toEqual({ eachTask0: '1', eachTask1: '2', eachTask2: '3', eachTask3: '4' }),
  'twerk-noop-100.ts': (job) => expect(job.execution.map((task) => task.name)).toEqual(Array.from({ length: 100 }, (_, index) => `noop-${String(index + 1).padStart(3, '0')}`)),
  'twerk-massive-parallel.ts': (job) => expect(job.execution.filter((task) => task.parentId !== undefined && task.state === 'COMPLETED')).toHaveLength(151),
  'docs/tork-simple-job.ts': (job) => expect(job.context?.tasks).toEqual({ task1: 'hello world' }),
  'docs/tork-defaults.ts': (job) => expect(job.execution.map((task) => task.queue)).toEqual(['highcpu']),
  // The job is RUNNING when the task's condition is evaluated, so the task is skipped.
  'docs/twerk-docs-conditional.ts': (job) => expect(job.execution.map((task) => task.state)).toEqual(['SKIPPED']),
};

/** Programs whose job does not complete here, or not always; each says why. */
const OTHER_OUTCOMES: Readonly<Record<string, () => Promise<void>>> = {
  // Meant to fail: the task sleeps 10 s with a 5 s timeout.
  'timeout.ts': async () => {
    await expectFailed('timeout.ts', /^task timed out after 5s$/);
  },
  // A coin flip, retried twice: heads, or three tails.
  'retry.ts': async () => {
    const { code, job } = await runJob('retry.ts');
    const flips = attemptsOf(job, 1);
    if (job.state === 'COMPLETED') expect([code, flips.at(-1)?.result]).toEqual([0, 'heads']);
    else expect([code, job.state, flips.map((flip) => flip.result)]).toEqual([1, 'FAILED', ['tails', 'tails', 'tails']]);
  },
  // A coin flip retried five times: heads and then the next task, or six tails.
  'bash-retry.ts': async () => {
    const { code, job } = await runJob('bash-retry.ts');
    const flips = attemptsOf(job, 1);
    if (job.state === 'COMPLETED') expect([code, flips.at(-1)?.state, attemptsOf(job, 2).map((task) => task.state)]).toEqual([0, 'COMPLETED', ['COMPLETED']]);
    else expect([code, job.state, flips.length]).toEqual([1, 'FAILED', 6]);
  },
  // The docs' script does not exist: the first run and its three retries fail.
  'docs/twerk-docs-retry.ts': async () => {
    const job = await expectFailed('docs/twerk-docs-retry.ts', /might-fail\.sh: No such file or directory/);
    expect(attemptsOf(job, 1).map((task) => task.state)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
  },
  // Its S3 server is a placeholder (my-minio-server): the metadata step cannot read the presigned URL (or, on a
  // machine without ffprobe or the AWS CLI, the step that needs it fails). server/src/engine/examples.test.ts runs
  // it to the end against a local S3 stand-in, by changing the endpointURL input.
  'split_and_stitch.ts': async () => {
    const job = await expectFailed('split_and_stitch.ts', /^exit status \d+/);
    expect(['presign the s3 source', 'get the video metadata']).toContain(job.execution.find((task) => task.state === 'FAILED')?.name);
  },
  // Needs ffmpeg and a video at example.com, which is not there (nor, here, the network).
  'docs/tork-inputs.ts': async () => {
    await expectFailed('docs/tork-inputs.ts', /ffmpeg: command not found|example\.com/);
  },
  // Needs MinIO at host.docker.internal:9000, a Docker host name.
  'docs/tork-stateful-minio.ts': async () => {
    await expectFailed('docs/tork-stateful-minio.ts', /host\.docker\.internal|aws: command not found/);
  },
  // Its pre task downloads http://example.com/video.mov, which is not there (nor, here, the network).
  'docs/twerk-docs-mounts.ts': async () => {
    await expectFailed('docs/twerk-docs-mounts.ts', /^pre task download failed: /);
  },
  // It POSTs to http://example.com: that completes where the network reaches it; curl fails where it does not.
  // Either way the secret is redacted in the job the server shows.
  'docs/tork-secrets.ts': async () => {
    const online = await fetch('http://example.com', { signal: AbortSignal.timeout(5_000) }).then(
      () => true,
      () => false,
    );
    const job = online ? await expectCompleted('docs/tork-secrets.ts') : await expectFailed('docs/tork-secrets.ts', /curl: \(\d+\)/);
    expect([job.secrets, job.execution[0]?.env]).toEqual([{ api_key: '[REDACTED]' }, { API_KEY: '[REDACTED]' }]);
  },
};

/** The Pokémon examples call a Pokémon API on 127.0.0.1:8080; they run while this stands in for it. */
const POKEMON = ['pokemon-benchmark.ts', 'twerk-chaos-engineering.ts', 'twerk-massive-parallel.ts', 'twerk-pokemon-shell-100.ts'];

const cronOf = (document: Record<string, unknown>) => (document['schedule'] as { cron?: string } | undefined)?.cron ?? document['cron'];

const byKind = (kind: Kind) => programs.filter((program) => kindOf(tree(readFileSync(join(examplesDir, yamlOf(program))))) === kind);
const jobPrograms = byKind('job');

async function runToItsResult(program: string): Promise<void> {
  const other = OTHER_OUTCOMES[program];
  if (other !== undefined) return other();
  const job = await expectCompleted(program);
  COMPLETED_WITH[program]?.(job);
}

describe('run against a real server', () => {
  it('expects outcomes of job programs only (no stale names)', () => {
    expect([...Object.keys(COMPLETED_WITH), ...Object.keys(OTHER_OUTCOMES), ...POKEMON].filter((program) => !jobPrograms.includes(program))).toEqual([]);
  });

  it.concurrent.each(jobPrograms.filter((program) => !POKEMON.includes(program)))('%s runs to its result', runToItsResult, 120_000);

  it.concurrent.each(byKind('scheduled job'))('%s creates its schedule, prints it and deletes it again', async (program) => {
    const document = tree(readFileSync(join(examplesDir, yamlOf(program))));
    const before = Date.now();
    const { code, printed } = await runProgram(program);
    expect([code, printed]).toEqual([0, { scheduled: expect.any(String), name: document['name'], cron: cronOf(document), state: 'ACTIVE', nextRunAt: expect.any(String) }]);
    expect(Date.parse(String(printed['nextRunAt']))).toBeGreaterThan(before);
    expect((await client.api.scheduledJobs.get({ params: { id: String(printed['scheduled']) } })).status).toBe(404);
  });

  it('with TWERK_KEEP_SCHEDULE=1 a scheduled job\'s program leaves its schedule on the server', async () => {
    const { code, printed } = await runProgram('docs/twerk-docs-scheduled-job.ts', { TWERK_KEEP_SCHEDULE: '1' });
    expect(code).toBe(0);
    const id = String(printed['scheduled']);
    try {
      const kept = await client.scheduledJobs.get(id);
      expect(kept).toMatchObject({ id, name: 'daily backup', state: 'ACTIVE', cron: '0 2 * * *' });
      expect(Date.parse(kept.nextRunAt ?? '')).toBeGreaterThanOrEqual(Date.parse(String(printed['nextRunAt'])));
    } finally {
      await client.scheduledJobs.delete(id);
    }
  });

  it('asl-hello.ts runs its two pass states to "Goodbye!"', async () => {
    const job = await expectCompleted('asl-hello.ts');
    expect(job).toMatchObject({ result: '"Goodbye!"', tags: ['state-machine'], execution: [] });
  });

  it('asl-task-retry.ts builds, tests and deploys, retrying a failed build up to three times', async () => {
    const { code, job } = await runJob('asl-task-retry.ts');
    const builds = job.execution.filter((task) => task.name === 'Build');
    // The build fails at random ($RANDOM): it completes within four attempts, or the execution fails.
    if (job.state === 'COMPLETED') {
      expect(code).toBe(0);
      expect(builds.at(-1)?.state).toBe('COMPLETED');
      expect(job.execution.filter((task) => task.state === 'COMPLETED' && task.queue !== 'x-timers').map((task) => task.name)).toEqual(['Build', 'Test', 'Deploy']);
    } else {
      expect([code, job.state, builds.length]).toEqual([1, 'FAILED', 4]);
      expect(job.error).toMatch(/^States\.TaskFailed: /);
    }
  }, 60_000);
});

describe('run against a real server, with a Pokémon API', () => {
  // Held only while these run: server/src/engine/examples.test.ts stands in on the same port.
  let pokeApi: Server;
  beforeAll(async () => {
    pokeApi = await startPokeApiStandIn();
  }, 300_000);
  afterAll(() => new Promise<void>((resolve) => (pokeApi ? pokeApi.close(() => resolve()) : resolve())));

  it.concurrent.each(POKEMON)('%s runs to its result', runToItsResult, 120_000);
});

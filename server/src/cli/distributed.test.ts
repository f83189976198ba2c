/**
 * Distributed mode as separate processes: a coordinator and two workers on one PostgreSQL database,
 * talking only through it (pg-boss queues and the datastore) — the examples spread across the
 * workers, and a worker killed in the middle of a task, which finishes on the other as a new attempt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, type TestDatabase } from '../db/testing.ts';
import { freePort } from './testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-distributed-'));
let database: TestDatabase;
const children: ChildProcess[] = [];


function start(mode: string, env: Record<string, string>, hostname?: string): ChildProcess {
  const child = spawn(process.execPath, [cli, 'server', 'start', mode, ...(hostname !== undefined ? ['--hostname', hostname] : [])], {
    cwd: scratch,
    env: { ...process.env, TWERK_DATASTORE_TYPE: 'postgres', TWERK_DATASTORE_POSTGRES_DSN: database.url!, ...env },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

async function healthy(base: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // starting
    }
    if (Date.now() - started > 60_000) throw new Error('coordinator never became healthy');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Execution = { name: string; nodeId?: string; state: string; attempt?: number; error?: string }[];

async function submitAndWait(base: string, document: string): Promise<{ state: string; result?: string; error?: string; execution: Execution }> {
  const response = await fetch(`${base}/jobs?wait=true`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: document });
  return (await response.json()) as { state: string; result?: string; error?: string; execution: Execution };
}

beforeAll(async () => {
  database = await createPostgresTestDatabase();
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  await database?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a coordinator and two workers as separate processes', () => {
  const port = freePort();
  let base: string;
  let first: ChildProcess;
  let second: ChildProcess;

  beforeAll(async () => {
    base = `http://127.0.0.1:${await port}`;
    start('coordinator', { TWERK_COORDINATOR_ADDRESS: `127.0.0.1:${await port}` }, 'boss');
    // Workers each need their own task directory.
    first = start('worker', { TWERK_WORKER_DIR: join(scratch, 'w1'), TWERK_WORKER_QUEUES: 'default:2' }, 'first');
    second = start('worker', { TWERK_WORKER_DIR: join(scratch, 'w2'), TWERK_WORKER_QUEUES: 'default:2', TWERK_COORDINATOR_ADDRESS: '127.0.0.1:1' }, 'second');
    await healthy(base);
  }, 90_000);

  it('run a job across the workers, every node listed', async () => {
    const document = `name: spread\noutput: "{{ tasks.c }}"\ntasks:\n  - name: a\n    var: a\n    run: echo -n 1 > $TWERK_OUTPUT\n  - name: b\n    var: b\n    env: { A: "{{ tasks.a }}" }\n    run: echo -n "$A-2" > $TWERK_OUTPUT\n  - name: c\n    var: c\n    env: { B: "{{ tasks.b }}" }\n    run: echo -n "$B-3" > $TWERK_OUTPUT\n`;
    const job = await submitAndWait(base, document);
    expect(job).toMatchObject({ state: 'COMPLETED', result: '1-2-3' });
    expect(job.execution.every((task) => typeof task.nodeId === 'string' && task.nodeId !== '')).toBe(true);
    const fanOut = await submitAndWait(base, `name: fan out\ntasks:\n  - name: six\n    parallel:\n      tasks:\n${Array.from({ length: 6 }, (_, index) => `        - { name: p${index}, run: sleep 0.5 }\n`).join('')}`);
    expect(fanOut.state).toBe('COMPLETED');
    const workers = new Set(fanOut.execution.filter((task) => task.name.startsWith('p')).map((task) => task.nodeId!.split('-')[0]));
    expect([...workers].sort()).toEqual(['first', 'second']);
    const nodes = (await (await fetch(`${base}/nodes`)).json()) as { name: string; kind: string; status: string; queues?: string[] }[];
    expect(nodes.map((node) => [node.name, node.kind, node.status]).sort()).toEqual([['boss', 'coordinator', 'UP'], ['first', 'worker', 'UP'], ['second', 'worker', 'UP']]);
    expect((await (await fetch(`${base}/queues/default`)).json()) as object).toMatchObject({ name: 'default', subscribers: 2 });
  }, 60_000);

  it('finish a task on the other worker, as a new attempt, when its worker is killed in the middle of it', async () => {
    const waiting = submitAndWait(base, 'name: survivor\noutput: "{{ tasks.v }}"\ntasks:\n  - { name: long, var: v, run: sleep 3; echo -n survived > $TWERK_OUTPUT }\n');
    // Kill whichever worker took it.
    const started = Date.now();
    let victim: string | undefined;
    while (victim === undefined) {
      const running = (await database.db.query<{ node_id: string }>("SELECT node_id FROM twerk.tasks WHERE name = 'long' AND state = 'RUNNING'")).rows[0];
      if (running) victim = running.node_id.split('-')[0];
      else if (Date.now() - started > 20_000) throw new Error('the task never started');
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    (victim === 'first' ? first : second).kill('SIGKILL');
    const job = await waiting;
    expect(job).toMatchObject({ state: 'COMPLETED', result: 'survived' });
    expect(job.execution.map((task) => [task.state, task.nodeId?.split('-')[0], task.error ?? ''])).toEqual([
      ['FAILED', victim, 'the worker running it stopped renewing its lease (it died, or lost the database)'],
      ['COMPLETED', victim === 'first' ? 'second' : 'first', ''],
    ]);
  }, 60_000);

  it('stop cleanly on SIGTERM', async () => {
    const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
    const exits = alive.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve)));
    for (const child of alive) child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual(alive.map(() => 0));
  }, 60_000);
});

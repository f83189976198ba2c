/**
 * Distributed mode as separate processes: a coordinator and two workers on one PostgreSQL database,
 * talking only through it (pg-boss queues and the datastore).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, type TestDatabase } from '../db/testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-distributed-'));
let database: TestDatabase;
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function start(mode: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [cli, 'server', 'start', mode], { cwd: scratch, env: { ...process.env, TWERK_DATASTORE_TYPE: 'postgres', TWERK_DATASTORE_POSTGRES_DSN: database.url!, ...env }, stdio: 'ignore' });
  children.push(child);
  return child;
}

beforeAll(async () => {
  database = await createPostgresTestDatabase();
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  await database?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a coordinator and two workers as separate processes', () => {
  it('run a job across the workers and stop cleanly', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    start('coordinator', { TWERK_COORDINATOR_ADDRESS: `127.0.0.1:${port}` });
    // Workers each need their own task directory.
    start('worker', { TWERK_WORKER_DIR: join(scratch, 'w1'), TWERK_WORKER_QUEUES: 'default:2' });
    start('worker', { TWERK_WORKER_DIR: join(scratch, 'w2'), TWERK_WORKER_QUEUES: 'default:2', TWERK_COORDINATOR_ADDRESS: '127.0.0.1:1' });
    const started = Date.now();
    for (;;) {
      try {
        if ((await fetch(`${base}/health`)).ok) break;
      } catch {
        // starting
      }
      if (Date.now() - started > 60_000) throw new Error('coordinator never became healthy');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const document = `name: spread\noutput: "{{ tasks.c }}"\ntasks:\n  - name: a\n    var: a\n    run: echo -n 1 > $TWERK_OUTPUT\n  - name: b\n    var: b\n    env: { A: "{{ tasks.a }}" }\n    run: echo -n "$A-2" > $TWERK_OUTPUT\n  - name: c\n    var: c\n    env: { B: "{{ tasks.b }}" }\n    run: echo -n "$B-3" > $TWERK_OUTPUT\n`;
    const response = await fetch(`${base}/jobs?wait=true`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: document });
    const job = (await response.json()) as { state: string; result: string; execution: { nodeId: string }[] };
    expect(job).toMatchObject({ state: 'COMPLETED', result: '1-2-3' });
    expect(job.execution.every((task) => typeof task.nodeId === 'string' && task.nodeId !== '')).toBe(true);

    const exits = children.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve)));
    for (const child of children) child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);
  }, 120_000);
});

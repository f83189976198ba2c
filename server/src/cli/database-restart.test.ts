/**
 * PostgreSQL restarting under a running job: a coordinator and a worker, as separate processes, on a
 * PostgreSQL cluster of this test's own (so the restart touches no other suite), ride through the
 * restart without being restarted themselves, and the job finishes (Tork #205, pg-boss #510).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'twerk-pg-restart-'));
chmodSync(scratch, 0o777);
const data = join(scratch, 'cluster');
const bin = join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql')[0] ?? '15', 'bin');
const children: ChildProcess[] = [];
let port = 0;


/** PostgreSQL refuses to run as root: its tools run as the postgres user when this test is root. */
function asPostgres(command: string, args: string[]) {
  const asRoot = process.getuid?.() === 0;
  return run(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, { timeout: 60_000 });
}

const pgCtl = (...args: string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-w', ...args]);

beforeAll(async () => {
  port = await freePort();
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  await pgCtl('-o', `-p ${port} -k ${scratch} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(scratch, 'postgres.log'), 'start');
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await pgCtl('-m', 'immediate', 'stop').catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
});

describe('a database restart in the middle of a job', () => {
  it('is ridden through by coordinator and worker, and the job finishes', async () => {
    const api = await freePort();
    const env = { ...process.env, TWERK_DATASTORE_TYPE: 'postgres', TWERK_DATASTORE_POSTGRES_DSN: `postgres://postgres@127.0.0.1:${port}/postgres`, TWERK_LOGGING_LEVEL: 'error' };
    // Their output goes to files, shown when the test fails: a process that died says why.
    const logOf = (name: string) => openSync(join(scratch, `${name}.log`), 'a');
    children.push(spawn(process.execPath, [cli, 'server', 'start', 'coordinator'], { cwd: scratch, env: { ...env, TWERK_COORDINATOR_ADDRESS: `127.0.0.1:${api}` }, stdio: ['ignore', logOf('coordinator'), logOf('coordinator')] }));
    children.push(spawn(process.execPath, [cli, 'server', 'start', 'worker'], { cwd: scratch, env: { ...env, TWERK_WORKER_DIR: join(scratch, 'tasks') }, stdio: ['ignore', logOf('worker'), logOf('worker')] }));
    const logs = () => ['coordinator', 'worker'].map((name) => `--- ${name} (exit ${children[name === 'coordinator' ? 0 : 1]?.exitCode ?? 'none yet'}):\n${readFileSync(join(scratch, `${name}.log`), 'utf8').slice(-3000)}`).join('\n');
    const base = `http://127.0.0.1:${api}`;
    const call = async (path: string, init?: RequestInit): Promise<any> => {
      for (const started = Date.now(); ; ) {
        try {
          const response = await fetch(`${base}${path}`, init);
          if (response.status < 500) return await response.json();
        } catch {
          // starting, or the database is away
        }
        if (Date.now() - started > 60_000) throw new Error(`${path} never answered\n${logs()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await call('/health');
    const steps = Array.from({ length: 6 }, (_, index) => `  - { name: s${index}, var: s${index}, env: { N: "${index}" }, run: 'sleep 0.7; echo -n $N > $TWERK_OUTPUT' }\n`).join('');
    const { id } = await call('/jobs', { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: `name: through a restart\noutput: "{{ tasks.s0 }}{{ tasks.s5 }}"\ntasks:\n${steps}` });
    // Restart once the job is under way.
    for (;;) {
      const job = await call(`/jobs/${id}`);
      if (job.position >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // With its log file named, the restarted postmaster does not hold this test's pipes open.
    await pgCtl('-m', 'fast', '-o', `-p ${port} -k ${scratch} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(scratch, 'postgres.log'), 'restart');
    let job: any;
    for (const started = Date.now(); ; ) {
      job = await call(`/jobs/${id}`);
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.state)) break;
      if (Date.now() - started > 90_000) throw new Error(`the job is still ${job.state} at position ${job.position}\n${logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(job).toMatchObject({ state: 'COMPLETED', result: '05' });
    const health = await call('/health');
    expect(health.status).toBe('UP');
  }, 180_000);
});

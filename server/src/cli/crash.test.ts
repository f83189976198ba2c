/**
 * Crash recovery: SIGKILL the standalone server in the middle of a multi-task job, start it again on
 * the same data directory, and the job completes — every task ran exactly once, except the one that
 * was interrupted, which ran again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, until } from './testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-crash-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));


function start(port: number): ChildProcess {
  return spawn(process.execPath, [cli, 'server', 'start', 'standalone'], {
    cwd: scratch,
    env: { ...process.env, TWERK_DATASTORE_TYPE: 'embedded', TWERK_DATASTORE_EMBEDDED_DIR: join(scratch, 'data'), TWERK_COORDINATOR_ADDRESS: `127.0.0.1:${port}`, TWERK_WORKER_DIR: join(scratch, 'tasks') },
    stdio: 'ignore',
  });
}


describe('a standalone server killed mid-job', () => {
  it('finishes the job after a restart, running each task once but the interrupted one', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const marks = join(scratch, 'marks.txt');
    const task = (name: string, seconds: number) => `  - name: ${name}\n    env: { MARKS: "${marks}" }\n    run: echo "${name} start" >> "$MARKS"; sleep ${seconds}; echo "${name} end" >> "$MARKS"\n`;
    const document = `name: four steps\ntasks:\n${task('t1', 0.2)}${task('t2', 4)}${task('t3', 0.2)}${task('t4', 0.2)}`;

    let server = start(port);
    try {
      await until('health', async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 60_000);
      const submitted = (await (await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: document })).json()) as { id: string };
      await until('t2 to start', async () => (existsSync(marks) && readFileSync(marks, 'utf8').includes('t2 start') ? true : undefined), 30_000);
      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));

      server = start(port);
      const finished = await until(
        'the job to finish',
        async () => {
          const job = (await (await fetch(`${base}/jobs/${submitted.id}`)).json()) as { state: string };
          return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.state) ? job : undefined;
        },
        90_000,
      );
      expect(finished.state).toBe('COMPLETED');
      const lines = readFileSync(marks, 'utf8').trim().split('\n');
      const count = (line: string) => lines.filter((entry) => entry === line).length;
      expect([count('t1 start'), count('t1 end'), count('t3 start'), count('t3 end'), count('t4 start'), count('t4 end')]).toEqual([1, 1, 1, 1, 1, 1]);
      expect(count('t2 start')).toBe(2);
      expect(count('t2 end')).toBe(1);
    } finally {
      server.kill('SIGKILL');
    }
  }, 180_000);
});

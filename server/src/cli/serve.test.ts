/** The real command: `twerk server start standalone` as a process, driven over HTTP like a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-serve-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));


async function healthy(base: string, child: ChildProcess): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) throw new Error('server never became healthy');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('twerk server start standalone', () => {
  it("serves seed 000's quick start and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [cli, 'server', 'start', 'standalone'], {
      cwd: scratch,
      env: { ...process.env, TWERK_BROKER_TYPE: 'inmemory', TWERK_DATASTORE_TYPE: 'inmemory', TWERK_RUNTIME_TYPE: 'shell', TWERK_COORDINATOR_ADDRESS: `127.0.0.1:${port}`, TWERK_WORKER_DIR: join(scratch, 'tasks') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    try {
      await healthy(base, child);
      const response = await fetch(`${base}/jobs?wait=true`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: readFileSync(join(examples, 'hello-shell.yaml')) });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ state: 'COMPLETED', name: 'hello shell' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('twerk started');
      expect(output).toContain('twerk stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);

  it('refuses a RabbitMQ broker with a message naming what is supported', async () => {
    const child = spawn(process.execPath, [cli, 'server', 'start', 'standalone'], { cwd: scratch, env: { ...process.env, TWERK_BROKER_TYPE: 'rabbitmq' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('broker.type: "rabbitmq" is not supported');
  }, 30_000);
});

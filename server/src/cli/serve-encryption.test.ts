/** The real command with `datastore.encryption.key`: a key that does not fit the database stops the process at once, with the reason. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-serve-key-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function server(port: number, key: string) {
  const child = spawn(process.execPath, [cli, 'server', 'start', 'standalone'], {
    cwd: scratch,
    env: {
      ...process.env,
      TWERK_DATASTORE_TYPE: 'embedded',
      TWERK_DATASTORE_EMBEDDED_DIR: join(scratch, 'data'),
      TWERK_DATASTORE_ENCRYPTION_KEY: key,
      TWERK_RUNTIME_TYPE: 'shell',
      TWERK_COORDINATOR_ADDRESS: `127.0.0.1:${port}`,
      TWERK_WORKER_DIR: join(scratch, 'tasks'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, output: () => output };
}

describe('twerk server start with datastore.encryption.key', () => {
  it('exits 1 naming the problem when the key is not the one the database was written with, without printing either key', async () => {
    const port = await freePort();
    const first = server(port, 'the first key, long enough');
    try {
      for (const started = Date.now(); ; ) {
        if (first.child.exitCode !== null) throw new Error(`server exited: ${first.output()}`);
        if (await fetch(`http://127.0.0.1:${port}/health`).then((response) => response.ok, () => false)) break;
        if (Date.now() - started > 60_000) throw new Error('server never became healthy');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }

    const second = server(port, 'a second key, long enough');
    try {
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain('cannot decrypt secrets: wrong datastore.encryption.key');
      expect(second.output()).not.toMatch(/the first key|a second key/);
    } finally {
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
    }
  }, 90_000);
});

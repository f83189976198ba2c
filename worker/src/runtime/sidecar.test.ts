import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ShellSidecar } from './sidecar.ts';

const baseDir = mkdtempSync(join(tmpdir(), 'twerk-sidecar-'));
const sidecar = ShellSidecar.start();
afterAll(async () => {
  await sidecar.stop();
  rmSync(baseDir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, timeoutMs = 25_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the spawner sidecar', () => {
  it('runs a task and answers its result after delivering every log chunk in order', async () => {
    const chunks: string[] = [];
    const outcome = await sidecar.run(
      { taskId: 't1', jobId: 'j1', run: 'for i in $(seq 1 2000); do echo "line $i"; done; echo -n done > $TWERK_OUTPUT' },
      { baseDir, logFlushMs: 10 },
      { onLog: async (chunk) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        chunks.push(chunk.data);
      } },
    );
    expect(outcome).toEqual({ status: 'completed', exitCode: 0, result: 'done' });
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(2000);
    expect(lines.at(-1)).toBe('line 2000');
  }, 30_000);

  it('reports failures like the in-process runtime', async () => {
    expect(await sidecar.run({ taskId: 't2', jobId: 'j1', run: 'echo bad >&2; exit 4' }, { baseDir })).toMatchObject({ status: 'failed', exitCode: 4, error: 'exit status 4: bad' });
  }, 30_000);

  it('cancels, killing the task tree', async () => {
    const pidFile = join(baseDir, 'cancel-pid');
    const controller = new AbortController();
    const running = sidecar.run({ taskId: 't3', jobId: 'j1', run: `sleep 300 & echo $! > ${pidFile}; wait` }, { baseDir }, {}, controller.signal);
    await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    controller.abort();
    expect(await running).toEqual({ status: 'cancelled' });
    await eventually(() => !alive(Number(readFileSync(pidFile, 'utf8'))));
  }, 30_000);

  it('stops the tasks it runs when it is stopped', async () => {
    const other = ShellSidecar.start();
    const pidFile = join(baseDir, 'stop-pid');
    const running = other.run({ taskId: 't4', jobId: 'j1', run: `sleep 300 & echo $! > ${pidFile}; wait` }, { baseDir });
    await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    await other.stop();
    expect((await running).status).toBe('failed');
    await eventually(() => !alive(Number(readFileSync(pidFile, 'utf8'))));
  }, 30_000);
});

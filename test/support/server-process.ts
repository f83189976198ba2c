/**
 * The real server for benchmarks: `twerk server start standalone` as its own process, with the node
 * options `npm start` uses, driven over HTTP. Its peak memory is read from /proc (VmHWM), for the
 * server and for the small sidecar it spawns tasks from.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '@twerk/server';
import { freePort } from '../../server/src/cli/testing.ts';

const cli = join(import.meta.dirname, '..', '..', 'server', 'src', 'cli', 'main.ts');


/** Peak resident memory of a process, in MiB (0 once it is gone). */
export function peakRssMiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface ServerProcess {
  readonly base: string;
  readonly child: ChildProcess;
  /** Peak RSS of the server process and of its sidecar, MiB. */
  memory(): { server: number; sidecar: number };
  submit(yaml: string): Promise<{ state: string; error?: string }>;
  stop(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-bench-server-'));
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, cli, 'server', 'start', 'standalone'], {
    cwd: scratch,
    env: {
      ...process.env,
      TWERK_DATASTORE_TYPE: 'inmemory',
      TWERK_RUNTIME_TYPE: 'shell',
      TWERK_LOGGING_LEVEL: 'warn',
      TWERK_COORDINATOR_ADDRESS: `127.0.0.1:${port}`,
      TWERK_WORKER_DIR: join(scratch, 'tasks'),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) throw new Error('the server never became healthy');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    base,
    child,
    memory() {
      const sidecars = childrenOf(child.pid!);
      return { server: peakRssMiB(child.pid!), sidecar: Math.max(0, ...sidecars.map(peakRssMiB)) };
    },
    async submit(yaml) {
      const response = await fetch(`${base}/jobs?wait=true`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: yaml });
      if (response.status !== 200) throw new Error(`POST /jobs answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { state: string; error?: string };
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

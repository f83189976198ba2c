/**
 * The real server for benchmarks and cross-package suites: `twerk server start standalone` as its own
 * process, with the node options `npm start` uses, driven over HTTP. Its peak memory is read from /proc (VmHWM), for the
 * server and for the small sidecar it spawns tasks from.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
// The one way the suites start a real server (the SDK's client tests use it too).
import { startTestServer } from '../../sdk/src/client/testing.ts';

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
  const server = await startTestServer(env);
  const { child, baseUrl: base } = server;
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
    stop: () => server.stop(),
  };
}

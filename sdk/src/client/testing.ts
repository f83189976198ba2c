/**
 * A real Twerk server for the client's tests: the repository's `twerk server start standalone` as a
 * child process (in-memory datastore, shell runtime) on a free port. The SDK does not depend on the
 * server package, so the CLI is started by its path in this repository.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TWERK_CLI = join(import.meta.dirname, '..', '..', '..', 'server', 'src', 'cli', 'main.ts');
/** As server/src/cli/node-flags.ts (its test checks they agree): what `npm start` runs the server with. */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=1', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestServer {
  readonly baseUrl: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startTestServer(env: Readonly<Record<string, string>> = {}): Promise<TestServer> {
  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-sdk-server-'));
  let output = '';
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, TWERK_CLI, 'server', 'start', 'standalone'], {
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Kept for the error message when it never comes up.
  child.stdout!.on('data', (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000)));
  child.stderr!.on('data', (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`the server never became healthy:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    baseUrl,
    port,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/**
 * The HTTP API for the suites: a coordinator with a shell-runtime worker on a test database (either
 * backend), and the app listening on a free port of 127.0.0.1 — real HTTP, real engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TestDatabase } from '../db/testing.ts';
import { startEngine, type Engine, type EngineOptions } from '../engine/engine.ts';
import { shellRunner } from '../engine/shell-runner.ts';
import { buildApp, type AppOptions } from './app.ts';

export interface TestApi {
  readonly engine: Engine;
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  stop(): Promise<void>;
}

export interface TestApiOptions {
  /** The worker's node id (also the task scratch folder's name). */
  readonly nodeId: string;
  readonly slots?: number;
  readonly engine?: Partial<Omit<EngineOptions, 'db' | 'url' | 'coordinator' | 'worker'>>;
  readonly app?: Partial<Omit<AppOptions, 'engine'>>;
}

export async function startTestApi(test: TestDatabase, options: TestApiOptions): Promise<TestApi> {
  const scratch = mkdtempSync(join(tmpdir(), `twerk-${options.nodeId}-`));
  const engine = await startEngine({
    db: test.db as never,
    ...(test.url !== undefined ? { url: test.url } : {}),
    coordinator: true,
    worker: { runner: shellRunner({ baseDir: scratch, logFlushMs: 20 }), queues: { default: options.slots ?? 2 }, nodeId: options.nodeId },
    onError: (error) => console.error('engine background error:', error),
    ...options.engine,
  });
  const app = await buildApp({ engine, version: 'test', defaultWaitMs: 20_000, ...options.app });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    engine,
    app,
    base,
    async stop() {
      await app.close();
      await engine.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

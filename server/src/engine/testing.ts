/** What the engine's end-to-end suites share: reading a job document, and an engine on a test database. */
import { parseDocument, type JobDocument } from '@twerk/contract';
import type { TestDatabase } from '../db/testing.ts';
import { startEngine, type Engine, type EngineOptions } from './engine.ts';

/** A job document from YAML, or a thrown error naming what is wrong with it. */
export function jobDocument(yaml: string | Uint8Array): JobDocument {
  const parsed = parseDocument(yaml, 'text/yaml');
  if (!parsed.ok || parsed.value.family !== 'job') throw new Error(parsed.ok ? 'not a job' : parsed.error.message);
  return parsed.value.job;
}

/** A coordinator (and, given one, a worker) on a test database of either backend. */
export function engineOn(test: TestDatabase, worker?: EngineOptions['worker'], options: Partial<Pick<EngineOptions, 'maintenanceIntervalMs' | 'webhooks' | 'webhookLog' | 'encryptionKey'>> = {}): Promise<Engine> {
  return startEngine({
    db: test.db as TestDatabase['db'] & { pglite?: never },
    ...(test.url !== undefined ? { url: test.url } : {}),
    coordinator: true,
    ...(worker !== undefined ? { worker } : {}),
    onError: (error) => console.error('engine background error:', error),
    ...options,
  });
}

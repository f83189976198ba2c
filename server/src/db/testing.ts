/**
 * Real databases for tests: a fresh database on the PostgreSQL server (dropped afterwards) and an
 * in-memory PGlite, so every storage suite runs on both adapters.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from './database.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export const TEST_POSTGRES_URL = process.env['TWERK_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly db: Database;
  /** Connection string of the PostgreSQL database (undefined for PGlite). */
  readonly url?: string;
  dispose(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createPostgresTestDatabase(): Promise<TestDatabase> {
  const name = `twerk_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const db = openPostgres({ connectionString: url.toString() });
  return {
    db,
    url: url.toString(),
    async dispose() {
      await db.close();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const db = await openPglite({ dataDir: 'memory' });
  return { db, dispose: () => db.close() };
}

/** Both adapters, for `describe.each`. */
export const TEST_BACKENDS = [
  ['postgres', createPostgresTestDatabase],
  ['pglite', createPgliteTestDatabase],
] as const;

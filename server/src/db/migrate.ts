/**
 * Forward-only, versioned migrations of the `twerk` schema. Each file in migrations/ is applied once,
 * in version order, inside one transaction holding an advisory lock, so several processes starting at
 * once cannot apply the same migration twice.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .flatMap((file) => {
      const match = FILE.exec(file);
      return match ? [{ version: Number(match[1]), name: match[2]!, sql: readFileSync(join(dir, file), 'utf8') }] : [];
    })
    .sort((a, b) => a.version - b.version);
}

/** Versions applied, oldest first; empty when the schema does not exist yet. */
export async function appliedMigrations(db: Database): Promise<number[]> {
  const exists = await db.query<{ present: boolean }>("SELECT to_regclass('twerk.schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return [];
  const rows = await db.query<{ version: number }>('SELECT version FROM twerk.schema_migrations ORDER BY version');
  return rows.rows.map((row) => row.version);
}

/** Applies every pending migration; answers the versions it applied. */
export async function migrate(db: Database, migrations: readonly Migration[] = loadMigrations()): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('twerk.migrate'))");
    await tx.query('CREATE SCHEMA IF NOT EXISTS twerk');
    await tx.query('CREATE TABLE IF NOT EXISTS twerk.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM twerk.schema_migrations')).rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await tx.script(migration.sql);
      await tx.query('INSERT INTO twerk.schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return applied;
  });
}

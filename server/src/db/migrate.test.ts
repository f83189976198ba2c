import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from './migrate.ts';
import { TEST_BACKENDS, type TestDatabase } from './testing.ts';

describe.each(TEST_BACKENDS)('migrations on %s', (_name, create) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await create();
  }, 60_000);
  afterAll(() => test?.dispose());

  it('apply every migration once, in order, and record them', async () => {
    const all = loadMigrations().map((migration) => migration.version);
    expect(all.length).toBeGreaterThan(0);
    expect(await appliedMigrations(test.db)).toEqual([]);
    expect(await migrate(test.db)).toEqual(all);
    expect(await appliedMigrations(test.db)).toEqual(all);
    expect(await migrate(test.db)).toEqual([]);
  });

  it('create the twerk tables', async () => {
    const tables = await test.db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'twerk' ORDER BY table_name");
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      'api_keys', 'encryption_key', 'jobs', 'nodes', 'roles', 'scheduled_jobs', 'schema_migrations', 'task_log_parts', 'tasks', 'trigger_firings', 'triggers',
      'user_roles', 'users', 'webhook_deliveries', 'webhook_events',
    ]);
  });

  it('roll back a failing migration completely', async () => {
    const broken = [{ version: 9000, name: 'broken', sql: 'CREATE TABLE twerk.half_done (id int); SELECT no_such_function();' }];
    await expect(migrate(test.db, broken)).rejects.toThrow();
    const half = await test.db.query<{ present: boolean }>("SELECT to_regclass('twerk.half_done') IS NOT NULL AS present");
    expect(half.rows[0]?.present).toBe(false);
    expect(await appliedMigrations(test.db)).not.toContain(9000);
  });
});

describe('concurrent migration on PostgreSQL', () => {
  it('applies each migration once when several processes start together', async () => {
    const { createPostgresTestDatabase } = await import('./testing.ts');
    const { openPostgres } = await import('./postgres.ts');
    const test = await createPostgresTestDatabase();
    const others = [openPostgres({ connectionString: test.url! }), openPostgres({ connectionString: test.url! })];
    try {
      const results = await Promise.all([migrate(test.db), ...others.map((db) => migrate(db))]);
      expect(results.flat().sort((a, b) => a - b)).toEqual(loadMigrations().map((migration) => migration.version));
    } finally {
      await Promise.all(others.map((db) => db.close()));
      await test.dispose();
    }
  }, 60_000);
});

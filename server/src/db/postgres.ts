/** The `pg` adapter: a connection pool on a PostgreSQL server. */
import pg from 'pg';
import type { Database, Queryable, QueryResult } from './database.ts';

// Keep int8 (bigint, COUNT(*)) exact as strings is pg's default; our counts fit in a number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface PostgresOptions {
  readonly connectionString: string;
  readonly max?: number;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async script(sql: string): Promise<void> {
      // Without parameters pg uses the simple protocol, which accepts several statements.
      await client.query(sql);
    },
  };
}

export function openPostgres(options: PostgresOptions): Database {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const direct = wrap(pool);
  return {
    kind: 'postgres',
    query: direct.query,
    script: direct.script,
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (caught) {
        await client.query('ROLLBACK').catch(() => {});
        throw caught;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

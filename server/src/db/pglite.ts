/**
 * The embedded adapter: PGlite (PostgreSQL compiled to WASM) in this process, persisted to a data
 * directory or held in memory. It has one connection, so transactions run one at a time; PGlite's own
 * transaction method queues other queries behind an open transaction.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.ts';

export interface PgliteOptions {
  /** A directory to persist to, or 'memory'. */
  readonly dataDir: string;
}

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrap(db: PgliteLike): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await db.query<Row>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async script(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
}

export async function openPglite(options: PgliteOptions): Promise<Database & { readonly pglite: PGlite }> {
  if (options.dataDir !== 'memory') mkdirSync(options.dataDir, { recursive: true });
  // The smallest heap PGlite's build accepts (2048 WASM pages); it grows when it needs to. The default
  // reserves more up front, which is most of a standalone server's memory.
  const settings = { initialMemory: 128 * 2 ** 20 };
  const pglite = options.dataDir === 'memory' ? await PGlite.create(settings) : await PGlite.create(options.dataDir, settings);
  const direct = wrap(pglite);
  return {
    kind: 'pglite',
    pglite,
    query: direct.query,
    script: direct.script,
    transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) => work(wrap(tx)));
    },
    async close() {
      await pglite.close();
    },
  };
}

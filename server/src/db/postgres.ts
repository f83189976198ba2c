/** The `pg` adapter: a connection pool on a PostgreSQL server. */
import pg from 'pg';
import type { Database, Queryable, QueryResult, Unlisten } from './database.ts';

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

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

/**
 * A LISTEN on its own connection, re-established (with backoff, forever) whenever it drops — a
 * database restart must not leave wake-ups silently dead (Tork #205). After each reconnection
 * `onGap` runs, because notifications sent meanwhile are lost.
 */
function listenOn(connectionString: string, channel: string, onMessage: (payload: string) => void, onGap?: () => void): Promise<Unlisten> {
  if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delayMs = 100;
  const connect = async (first: boolean): Promise<void> => {
    const current = new pg.Client({ connectionString });
    client = current;
    const reconnect = () => {
      if (stopped || client !== current) return;
      client = undefined;
      current.removeAllListeners();
      current.on('error', () => {});
      void current.end().catch(() => {});
      retry = setTimeout(() => void connect(false).catch(() => {}), delayMs);
      delayMs = Math.min(delayMs * 2, 5_000);
    };
    current.on('error', reconnect);
    current.on('end', reconnect);
    current.on('notification', (message) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${channel}`);
      delayMs = 100;
      if (!first) onGap?.();
    } catch (error) {
      if (first) {
        stopped = true;
        await current.end().catch(() => {});
        throw error;
      }
      reconnect();
    }
  };
  return connect(true).then(() => async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  });
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
      // A checked-out client whose connection drops between two statements (the database restarted
      // while the transaction awaited something) emits 'error' with nobody listening, which would end
      // the process. Caught here, the next statement fails instead, and the client is thrown away.
      let broken: Error | undefined;
      const lost = (error: Error) => void (broken = error);
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (caught) {
        await client.query('ROLLBACK').catch((error: Error) => void (broken ??= error));
        throw caught;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    },
    listen: (channel, onMessage, onGap) => listenOn(options.connectionString, channel, onMessage, onGap),
    async close() {
      await pool.end();
    },
  };
}

/**
 * The one database interface the server uses. Two adapters implement it — a `pg` pool for a
 * PostgreSQL server and embedded PGlite — and the same SQL runs on both (DESIGN "One database").
 */
import type { SecretsCipher } from '../datastore/secrets-cipher.ts';

export interface QueryResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  script(sql: string): Promise<void>;
  /** How secret columns are sealed and opened through this connection (datastore/secrets-cipher.ts); absent, they are stored as given. */
  readonly secrets?: SecretsCipher;
}

/** Stops a subscription made with `listen`. */
export type Unlisten = () => Promise<void>;

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel`: `onMessage` gets each NOTIFY payload, after the sending transaction
   * commits. `onGap` is called when notifications may have been missed (a reconnect), so a listener
   * that uses them as wake-ups can look for work once.
   */
  listen(channel: string, onMessage: (payload: string) => void, onGap?: () => void): Promise<Unlisten>;
  close(): Promise<void>;
}

/** Sends a notification that `listen` subscribers get when `q`'s transaction commits. */
export async function notify(q: Queryable, channel: string, payload: string): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

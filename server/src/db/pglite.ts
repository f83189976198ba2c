/**
 * The embedded adapter: PGlite (PostgreSQL compiled to WASM) in this process, persisted to a data
 * directory, or to a throwaway one for `memory`. It has one connection, so transactions run one at a
 * time; PGlite's own transaction method queues other queries behind an open transaction.
 *
 * Memory is the constraint here (a standalone server should stay near 250 MB):
 * - initdb runs once per PGlite version, in a child process, into a template directory that every new
 *   database copies. In-process initdb starts a second PostgreSQL whose memory is never given back,
 *   and takes ~2.5 s where the copy takes ~50 ms.
 * - `memory` is a temporary directory removed on close (and swept after a crash), not PGlite's MEMFS:
 *   MEMFS keeps every data file and 16 MiB WAL segment in the process's heap.
 * - shared_buffers is 16 MB, not 128 MB; Twerk's working set is small, and the pages are in the OS
 *   page cache anyway. WAL is recycled after 32 MB instead of 1 GB.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.ts';

export interface PgliteOptions {
  /** A directory to persist to, or 'memory' (nothing kept after close). */
  readonly dataDir: string;
}

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

/** PGlite's own start parameters (it replaces its defaults when given any) plus Twerk's settings. */
const START_PARAMS = [
  '--single', '-F', '-O', '-j',
  '-c', 'search_path=public', '-c', 'exit_on_error=false', '-c', 'log_checkpoints=false',
  '-c', 'max_worker_processes=0', '-c', 'max_parallel_workers=0', '-c', 'max_parallel_workers_per_gather=0',
  '-c', 'max_parallel_maintenance_workers=0', '-c', 'io_method=sync',
  '-c', 'shared_buffers=16MB', '-c', 'max_wal_size=32MB', '-c', 'min_wal_size=32MB',
];

/** The smallest heap PGlite's build accepts (2048 WASM pages); it grows when it needs to. */
const INITIAL_MEMORY = 128 * 2 ** 20;

const MEMORY_PREFIX = 'twerk-memory-';

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

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

const hasDatabase = (directory: string): boolean => existsSync(join(directory, 'PG_VERSION'));

let templateReady: Promise<string> | undefined;

/** The initialized, never-opened data directory new databases copy; made once per PGlite version. */
function template(): Promise<string> {
  templateReady ??= (async () => {
    const directory = join(tmpdir(), `twerk-pglite-template-${pgliteVersion()}`);
    if (hasDatabase(directory)) return directory;
    const staging = mkdtempSync(`${directory}.staging-`);
    try {
      await promisify(execFile)(process.execPath, [join(import.meta.dirname, 'pglite-initdb.ts'), staging], { timeout: 120_000 });
      try {
        renameSync(staging, directory);
      } catch (error) {
        // Another process finished its template first; theirs is as good as ours.
        if (!hasDatabase(directory)) throw error;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return directory;
  })();
  templateReady.catch(() => (templateReady = undefined));
  return templateReady;
}

/** Gives `directory` a database: it keeps the one it has, or gets a copy of the template. */
async function provision(directory: string): Promise<void> {
  if (hasDatabase(directory)) return;
  mkdirSync(directory, { recursive: true });
  if (readdirSync(directory).length > 0) {
    throw new Error(`the data directory ${directory} is not empty and holds no database; point datastore.dir at an empty or a Twerk directory`);
  }
  cpSync(await template(), directory, { recursive: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the throwaway directories of `memory` databases whose process died without closing them. */
function sweepAbandonedMemoryDirectories(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(MEMORY_PREFIX)) continue;
    const directory = join(tmpdir(), entry);
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(join(directory, 'owner.pid'), 'utf8'));
    } catch {
      // no owner file: being created right now, or not ours to judge
      continue;
    }
    if (!isAlive(owner)) rmSync(directory, { recursive: true, force: true });
  }
}

function memoryDirectory(): string {
  sweepAbandonedMemoryDirectories();
  const root = mkdtempSync(join(tmpdir(), MEMORY_PREFIX));
  writeFileSync(join(root, 'owner.pid'), String(process.pid));
  return join(root, 'pgdata');
}

export async function openPglite(options: PgliteOptions): Promise<Database & { readonly pglite: PGlite }> {
  const throwaway = options.dataDir === 'memory';
  const directory = throwaway ? memoryDirectory() : options.dataDir;
  let pglite: PGlite;
  try {
    await provision(directory);
    pglite = await PGlite.create(directory, { initialMemory: INITIAL_MEMORY, startParams: START_PARAMS });
  } catch (error) {
    if (throwaway) rmSync(dirname(directory), { recursive: true, force: true });
    throw error;
  }
  const direct = wrap(pglite);
  return {
    kind: 'pglite',
    pglite,
    query: direct.query,
    script: direct.script,
    transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) => work(wrap(tx)));
    },
    async listen(channel, onMessage) {
      // In one process nothing is ever missed, so there is no gap to report.
      const unlisten = await pglite.listen(channel, onMessage);
      return async () => {
        if (!pglite.closed) await unlisten();
      };
    },
    async close() {
      try {
        if (!pglite.closed) await pglite.close();
      } finally {
        if (throwaway) rmSync(dirname(directory), { recursive: true, force: true });
      }
    },
  };
}

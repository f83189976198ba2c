/**
 * Child-process entry: creates an empty PGlite database in the directory given as the first argument,
 * then exits. Run by pglite.ts in its own process because initdb starts a second PostgreSQL instance
 * whose memory (~180 MiB) a process never gives back; a child returns it to the system when it exits.
 */
import { PGlite } from '@electric-sql/pglite';

const directory = process.argv[2];
if (directory === undefined) {
  process.stderr.write('usage: pglite-initdb.ts DIRECTORY\n');
  process.exit(2);
}
const pglite = await PGlite.create(directory);
await pglite.close();

#!/usr/bin/env -S node --max-semi-space-size=1 --no-wasm-tier-up --no-wasm-dynamic-tiering
/** The `twerk` command line (seed 000 "CLI Reference"). */
import { API_VERSION, generateOpenApi } from '@twerk/contract';
import { loadSettings, resolveConfig, type TwerkConfig } from '../config/config.ts';
import { migrate } from '../db/migrate.ts';
import { openPglite } from '../db/pglite.ts';
import { openPostgres } from '../db/postgres.ts';
import { createLogger, startServer, type Mode } from './serve.ts';
import { documentFiles, validateFiles } from './validate.ts';

const USAGE = `usage:
  twerk server start <standalone|coordinator|worker> [--hostname <name>]
  twerk migration [-y]                 apply database migrations
  twerk health [-e <url>]              check a server's health (default http://localhost:8000)
  twerk validate <file or folder>...   check job and state-machine documents (YAML or JSON)
  twerk openapi                        print the OpenAPI 3.1 document of the REST API
  twerk version [--json]               print the version
client commands, each with [-e|--endpoint <url>] [--json]:
  twerk job submit <file> [--wait] [--follow]       submit a job document (- for stdin); wait for it, follow its log
  twerk job list [--page N] [--size N] [-q <query>] list jobs, newest first
  twerk job get|log|cancel|restart|delete <id>      show, print the log of (--follow), cancel, restart or delete a job
  twerk scheduled-job create <file>                 schedule a job document with a cron
  twerk scheduled-job list [--page N] [--size N]    list scheduled jobs
  twerk scheduled-job get|pause|resume|delete <id>  show, pause, resume or unschedule one
  twerk trigger list                                list triggers
  twerk trigger get|delete <id>                     show or delete one
  twerk trigger create <file>                       create a trigger from a YAML or JSON file
  twerk trigger update <id> <file>                  replace one (optimistically, with its version)
  twerk trigger fire <id> [--payload <json>] [--idempotency-key <key>]  start its job now
  twerk trigger firings <id> [--page N] [--size N]  list its firings, newest first
  twerk event publish <name> [--payload <json>] [--idempotency-key <key>]  fire the triggers listening for it
  twerk queue list                                  list work queues
  twerk node list                                   list coordinators and workers
  the endpoint defaults to client.endpoint (TWERK_CLIENT_ENDPOINT), else http://localhost:8000;
  exit codes: 0 done, 1 failed (the server said no or could not be reached, a waited-for job did not complete), 2 usage
configuration: TWERK_CONFIG, or config.toml and the other search paths, overridden by TWERK_<SECTION>_<KEY>`;

function config(): TwerkConfig {
  const { settings } = loadSettings();
  const resolved = resolveConfig(settings);
  if (resolved.config === undefined) throw new Error(`invalid configuration:\n  ${resolved.errors.join('\n  ')}`);
  return resolved.config;
}

function option(args: readonly string[], ...names: string[]): string | undefined {
  const index = args.findIndex((arg) => names.includes(arg));
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === '--version' || (command === 'version' && !rest.includes('--json'))) {
    console.log(`twerk ${API_VERSION}`);
    return 0;
  }
  switch (command) {
    case 'version':
      console.log(JSON.stringify({ name: 'twerk', version: API_VERSION }));
      return 0;
    case 'server': {
      const mode = rest[1] as Mode | undefined;
      if (rest[0] !== 'start' || !mode || !['standalone', 'coordinator', 'worker'].includes(mode)) {
        console.error(USAGE);
        return 2;
      }
      const settings = config();
      const logger = createLogger(settings);
      const hostname = option(rest, '--hostname');
      const server = await startServer(mode, settings, logger, hostname !== undefined ? { hostname } : {});
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string): void => {
          logger.info({ signal }, 'shutting down');
          void server.stop().then(resolve);
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
      return 0;
    }
    case 'migration': {
      const settings = config();
      const db = settings.datastore.type === 'postgres' ? openPostgres({ connectionString: settings.datastore.url }) : await openPglite({ dataDir: settings.datastore.dir });
      try {
        const applied = await migrate(db);
        console.log(applied.length === 0 ? 'the database is up to date' : `applied migrations ${applied.join(', ')}`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'health': {
      const endpoint = option(rest, '-e', '--endpoint') ?? 'http://localhost:8000';
      try {
        const response = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(10_000) });
        const body = (await response.json()) as { status?: string; version?: string };
        console.log(`${body.status ?? 'UNKNOWN'} ${body.version ?? ''}`.trim());
        return response.ok && body.status === 'UP' ? 0 : 1;
      } catch (caught) {
        console.error(`twerk health: ${endpoint} did not answer: ${(caught as Error).message}`);
        return 1;
      }
    }
    case 'validate': {
      if (rest.length === 0) {
        console.error(USAGE);
        return 2;
      }
      const report = validateFiles(documentFiles(rest));
      for (const line of report.lines) console.log(line);
      return report.invalid === 0 ? 0 : 1;
    }
    case 'openapi':
      console.log(JSON.stringify(generateOpenApi(), null, 2));
      return 0;
    case 'job':
    case 'scheduled-job':
    case 'trigger':
    case 'event':
    case 'queue':
    case 'node': {
      // Loaded only here: the client's HTTP stack has no business in a server's start-up.
      const { runClientCommand } = await import('./client-commands.ts');
      return runClientCommand(command, rest);
    }
    default:
      console.error(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (caught: unknown) => {
    console.error(`twerk: ${caught instanceof Error ? caught.message : String(caught)}`);
    process.exitCode = 1;
  },
);

/**
 * `twerk server start <mode>`: one process running the API and coordinator (coordinator), a worker
 * (worker), or both (standalone). Embedded PGlite lives inside one process, so coordinator and worker
 * modes need PostgreSQL. SIGTERM/SIGINT stop it gracefully: no new work, running tasks stopped, queues
 * and database closed.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { ContainerRuntime, reapOrphanedTasks, ShellSidecar } from '@twerk/worker';
import { API_VERSION } from '@twerk/contract';
import { buildApp } from '../api/app.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import { authEnabled } from '../auth/authenticate.ts';
import { prepareAuth } from '../auth/bootstrap.ts';
import type { TwerkConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { openPglite } from '../db/pglite.ts';
import { openPostgres } from '../db/postgres.ts';
import { startEngine } from '../engine/engine.ts';
import { containerRunner, dockerOf, routedRunner } from '../engine/container-runner.ts';
import type { TaskRunner } from '../engine/runner.ts';
import { shellRunner } from '../engine/shell-runner.ts';
import { newId } from '../datastore/ids.ts';

export type Mode = 'standalone' | 'coordinator' | 'worker';

export interface RunningServer {
  /** The address the API listens on (coordinator and standalone). */
  readonly url?: string;
  stop(): Promise<void>;
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** `logging.format = "pretty"`: one readable line per record — time, level, message, then key=value pairs. */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, service: _service, pid: _pid, hostname: _hostname, ...fields } = record;
  const stamp = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const extras = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [stamp, (LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5), String(msg ?? ''), ...extras].filter(Boolean).join(' ');
}

export function createLogger(config: TwerkConfig): Logger {
  const options = { level: config.logging.level, base: { service: 'twerk' } };
  if (config.logging.format === 'json') return pino(options);
  return pino(options, { write: (line: string) => void process.stdout.write(`${prettyLine(line.trimEnd())}\n`) });
}

/**
 * The docker and podman runtimes of a worker. Each labels what it creates with this worker's name and
 * directory, so the same worker started again sweeps what its killed predecessor left running. The
 * engine of the configured runtime must answer; the other is used only by tasks that ask for it.
 */
async function containerRuntimes(config: TwerkConfig, name: string, logger: Logger): Promise<Partial<Record<'docker' | 'podman', TaskRunner>>> {
  const runners: Partial<Record<'docker' | 'podman', TaskRunner>> = {};
  for (const engine of ['docker', 'podman'] as const) {
    const settings = config.runtime[engine];
    const runtime = new ContainerRuntime({
      docker: dockerOf(settings.host),
      owner: `${name}:${resolve(config.worker.dataDir)}:${engine}`,
      images: { ttlMs: settings.imageTtlMs, ...(settings.config !== undefined ? { dockerConfig: settings.config } : {}) },
      privileged: settings.privileged,
      mounts: { allowBind: config.mounts.bind.allowed, bindSources: config.mounts.bind.sources },
    });
    if (config.runtime.type === engine) {
      if (!(await runtime.healthy())) throw new Error(`runtime.type is ${engine}, but its API does not answer at ${settings.host} (runtime.${engine}.host)`);
      const swept = await runtime.sweep();
      if (swept > 0) logger.warn({ swept, engine }, 'removed containers left by a previous worker');
    }
    runners[engine] = containerRunner(runtime);
  }
  return runners;
}

export async function startServer(mode: Mode, config: TwerkConfig, logger: Logger = createLogger(config), options: { hostname?: string } = {}): Promise<RunningServer> {
  if (mode !== 'standalone' && config.datastore.type !== 'postgres') {
    throw new Error(`${mode} mode shares its database with other processes, so it needs datastore.type = "postgres" (the embedded datastore lives inside one process)`);
  }
  let db: Database & { pglite?: import('@electric-sql/pglite').PGlite };
  if (config.datastore.type === 'postgres') {
    db = openPostgres({ connectionString: config.datastore.url });
  } else {
    db = await openPglite({ dataDir: config.datastore.dir });
  }
  const nodeId = `${options.hostname ?? hostname()}-${newId().slice(0, 8)}`;
  if (mode !== 'coordinator') {
    // A previous process killed mid-task leaves its task processes running; they must not finish
    // alongside the rerun. Each worker process needs its own worker.dir for this to be safe.
    const reaped = await reapOrphanedTasks(config.worker.dataDir);
    if (reaped > 0) logger.warn({ reaped }, 'stopped task processes left running by a previous worker');
  }
  // Tasks are spawned from a small sidecar: forking this process, which holds the embedded database,
  // would cost ~20 ms per task.
  const sidecar = mode !== 'coordinator' ? ShellSidecar.start() : undefined;
  const containers = mode !== 'coordinator' ? await containerRuntimes(config, options.hostname ?? hostname(), logger) : undefined;
  // Fed by this process's coordinator, served by its API (a worker has neither).
  const metrics = mode === 'worker' ? undefined : new MetricsRegistry();
  const engine = await startEngine({
    db,
    ...(config.datastore.type === 'postgres' ? { url: config.datastore.url } : {}),
    coordinator: mode !== 'worker',
    retention: config.retention,
    ...(config.encryptionKey !== undefined ? { encryptionKey: config.encryptionKey } : {}),
    node: { id: nodeId, name: options.hostname ?? hostname(), version: API_VERSION },
    webhooks: config.webhooks,
    webhookLog: (level, message, fields) => logger[level](fields, message),
    ...(metrics !== undefined ? { observer: metrics.observer } : {}),
    onError: (error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'background work failed; it is retried'),
    ...(mode !== 'coordinator'
      ? {
          worker: {
            runner: routedRunner(
              {
                shell: shellRunner(
                  {
                    baseDir: config.worker.dataDir,
                    shell: config.runtime.cmd,
                    hostEnv: config.worker.hostEnv,
                    mounts: { allowBind: config.mounts.bind.allowed, bindSources: config.mounts.bind.sources },
                    ...(config.runtime.uid !== undefined ? { uid: config.runtime.uid } : {}),
                    ...(config.runtime.gid !== undefined ? { gid: config.runtime.gid } : {}),
                  },
                  sidecar,
                ),
                ...containers,
              },
              config.runtime.type,
            ),
            queues: config.worker.queues,
            nodeId,
          },
        }
      : {}),
  }).catch(async (error: unknown) => {
    // A process that cannot start (a wrong datastore.encryption.key, say) must exit, not hang on its sidecar and pool.
    await sidecar?.stop();
    await db.close();
    throw error;
  });
  let url: string | undefined;
  if (mode !== 'worker' && authEnabled(config.auth)) await prepareAuth(engine.db, config.auth);
  const app = mode === 'worker' ? undefined : await buildApp({
    engine,
    version: API_VERSION,
    ...(metrics !== undefined ? { metrics } : {}),
    auth: config.auth,
    web: config.web,
    endpoints: config.endpoints,
    logger,
    ...(config.worker.token !== undefined ? { workerToken: config.worker.token } : {}),
  });
  if (app) url = await app.listen({ host: config.coordinator.host, port: config.coordinator.port });
  logger.info({ mode, url, datastore: config.datastore.type === 'postgres' ? 'postgres' : config.datastore.dir, node: nodeId }, 'twerk started');
  let stopping: Promise<void> | undefined;
  return {
    ...(url !== undefined ? { url } : {}),
    stop() {
      stopping ??= (async () => {
        await app?.close();
        await engine.stop();
        await sidecar?.stop();
        await db.close();
        logger.info('twerk stopped');
      })();
      return stopping;
    },
  };
}

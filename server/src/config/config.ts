/**
 * Configuration as seed 000 describes it: a TOML file (TWERK_CONFIG, or the first of the search paths)
 * flattened to dotted keys, overridden by TWERK_<SECTION>_<KEY> variables. `resolveConfig` turns the
 * keys into a typed configuration or every problem with its key, so a mistake is reported at start-up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { nanosToMillis, parseGoDuration } from '@twerk/contract';
import { parse as parseToml } from 'smol-toml';
import { list, text, type Settings } from './values.ts';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks/settings.ts';
import { resolveAuthConfig, type AuthConfig } from '../auth/settings.ts';
import { MIN_KEY_LENGTH } from '../datastore/secrets-cipher.ts';
import { resolveEndpoints, resolveWebSettings, type EndpointToggles, type WebSettings } from '../api/middleware/settings.ts';

export const SEARCH_PATHS = [
  'config.local.toml', 'config.toml', 'config.local.yaml', 'config.yaml', 'config.local.yml', 'config.yml',
  join(homedir(), 'twerk', 'config.toml'), join(homedir(), 'twerk', 'config.yaml'), '/etc/twerk/config.toml', '/etc/twerk/config.yaml',
];

export type { Settings } from './values.ts';

function flatten(table: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [key, value] of Object.entries(table)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) flatten(value as Record<string, unknown>, path, out);
    else out.set(path, value);
  }
}

/** Reads the file (when there is one) and the environment into dotted keys; env wins. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): { settings: Settings; file?: string } {
  const settings = new Map<string, unknown>();
  const explicit = env['TWERK_CONFIG'];
  const candidates = explicit !== undefined && explicit !== '' ? [explicit] : SEARCH_PATHS.map((path) => (path.startsWith('/') ? path : join(cwd, path)));
  const file = candidates.find((path) => existsSync(path));
  if (explicit && file === undefined) throw new Error(`TWERK_CONFIG names ${explicit}, which does not exist`);
  if (file !== undefined) {
    try {
      flatten(parseToml(readFileSync(file, 'utf8')) as Record<string, unknown>, '', settings);
    } catch (caught) {
      throw new Error(`${file} is not valid TOML: ${(caught as Error).message}`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TWERK_') || name === 'TWERK_CONFIG' || value === undefined) continue;
    settings.set(name.slice('TWERK_'.length).toLowerCase().replaceAll('_', '.'), value);
  }
  return file === undefined ? { settings } : { settings, file };
}

export interface TwerkConfig {
  readonly logging: { readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; readonly format: 'json' | 'pretty' };
  readonly datastore: { readonly type: 'embedded'; readonly dir: string } | { readonly type: 'postgres'; readonly url: string };
  /**
   * `datastore.retention.logs.duration` (168h) and `datastore.retention.jobs.duration` (8760h): log parts
   * older than the first, and jobs that ended longer ago than the second, are deleted. `0` keeps them forever (null).
   */
  readonly retention: { readonly logsMs: number | null; readonly jobsMs: number | null };
  /** `datastore.encryption.key` (TWERK_DATASTORE_ENCRYPTION_KEY): secrets are stored encrypted with it. Never logged. */
  readonly encryptionKey?: string;
  readonly coordinator: { readonly host: string; readonly port: number };
  /**
   * `type` is the worker's runtime; a task's own `runtime` field may pick another. `cmd`, `uid` and `gid`
   * are the shell runtime's (`runtime.shell.*`); `docker` and `podman` name each engine's API.
   */
  readonly runtime: {
    readonly type: RuntimeType;
    readonly cmd: string[];
    readonly uid?: number;
    readonly gid?: number;
    readonly docker: ContainerEngineConfig;
    readonly podman: ContainerEngineConfig;
  };
  readonly worker: { readonly queues: Record<string, number>; readonly hostEnv: string[]; readonly dataDir: string; readonly token?: string };
  /** Bind mounts tasks may make (Tork's `mounts.bind.*`): off unless allowed; no sources listed means any. */
  readonly mounts: { readonly bind: { readonly allowed: boolean; readonly sources: string[] } };
  /** Where the client commands (`twerk job …`) send requests: `client.endpoint`, TWERK_CLIENT_ENDPOINT. */
  readonly client: { readonly endpoint: string };
  /** Basic auth, API keys and the start-up administrator (`middleware.web.basicauth`/`keyauth`, `auth.admin.*`); off by default. */
  readonly auth: AuthConfig;
  /** How coordinators deliver webhooks: `webhooks.timeout`, `.attempts`, `.backoff.initial`, `.backoff.max`, `.concurrency`, `.retention`. */
  readonly webhooks: WebhookSettings;
  /** The HTTP middleware, `middleware.web.*`: CORS, rate limit, trust of proxies, body limit, request log, security headers. */
  readonly web: WebSettings;
  /** Which route groups the API serves: `coordinator.api.endpoints.<group>`, all true unless switched off. */
  readonly endpoints: EndpointToggles;
}

export const RUNTIME_TYPES = ['shell', 'docker', 'podman'] as const;
export type RuntimeType = (typeof RUNTIME_TYPES)[number];

/** A Docker-compatible API: `host` is `unix:///path/to.sock`, `tcp://host:port` or an http(s) URL. */
export interface ContainerEngineConfig {
  readonly host: string;
  /** Containers run privileged only when this is true (Tork's `runtime.docker.privileged`). */
  readonly privileged: boolean;
  /** How long an image seen on the engine is trusted to still be there. */
  readonly imageTtlMs: number;
  /** The Docker config file holding registry credentials; the default is ~/.docker/config.json. */
  readonly config?: string;
}

export const DEFAULT_CLIENT_ENDPOINT = 'http://localhost:8000';

/** The client section alone: the client commands need nothing else, so a server setting they do not use cannot stop them. */
export function resolveClientConfig(settings: Settings): { endpoint: string; error?: undefined } | { endpoint?: undefined; error: string } {
  const endpoint = text(settings, 'client.endpoint') ?? DEFAULT_CLIENT_ENDPOINT;
  if (!/^https?:\/\//.test(endpoint) || !URL.canParse(endpoint)) return { error: `client.endpoint: "${endpoint}" is not an http(s) URL` };
  return { endpoint };
}

/**
 * Credentials the client commands send to a server with auth on: `client.apikey` (TWERK_CLIENT_APIKEY),
 * else `client.username` and `client.password`. Never a command-line flag, so a secret does not end up
 * in the shell's history or the process list.
 */
export function clientCredentials(settings: Settings): { apiKey: string } | { username: string; password: string } | undefined {
  const apiKey = text(settings, 'client.apikey');
  if (apiKey !== undefined) return { apiKey };
  const username = text(settings, 'client.username');
  const password = text(settings, 'client.password');
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

const BROKER_TYPES = ['inmemory', 'postgres', 'pgboss'];
const DATASTORE_TYPES = ['inmemory', 'embedded', 'pglite', 'postgres'];

/** Podman's service socket: the system one for root, the user's own otherwise. */
function defaultPodmanHost(): string {
  if (process.getuid?.() === 0) return 'unix:///run/podman/podman.sock';
  return `unix://${process.env['XDG_RUNTIME_DIR'] ?? `/run/user/${process.getuid?.() ?? 1000}`}/podman/podman.sock`;
}

/** `runtime.<engine>.host`, `.privileged`, `.image.ttl` and `.config`, checked. */
function containerEngine(settings: Settings, engine: 'docker' | 'podman', defaultHost: string, errors: string[]): ContainerEngineConfig | undefined {
  const host = text(settings, `runtime.${engine}.host`) ?? defaultHost;
  if (!/^(unix:\/\/\/.+|tcp:\/\/.+:\d+|https?:\/\/.+)$/.test(host)) errors.push(`runtime.${engine}.host: "${host}" is not unix:///path, tcp://host:port or an http(s) URL`);
  const privileged = (text(settings, `runtime.${engine}.privileged`) ?? 'false').toLowerCase();
  if (!['true', 'false'].includes(privileged)) errors.push(`runtime.${engine}.privileged: "${privileged}" is not true or false`);
  const ttl = text(settings, `runtime.${engine}.image.ttl`) ?? '10m';
  const parsed = parseGoDuration(ttl);
  if (!parsed.ok || parsed.value <= 0n) errors.push(`runtime.${engine}.image.ttl: "${ttl}" is not a positive duration such as 10m or 24h`);
  const config = text(settings, `runtime.${engine}.config`);
  return { host, privileged: privileged === 'true', imageTtlMs: parsed.ok ? Number(nanosToMillis(parsed.value)) : 0, ...(config !== undefined ? { config } : {}) };
}

/** A retention duration: Go syntax, `0` for forever (null), never negative. */
function retentionMs(settings: Settings, kind: 'logs' | 'jobs', fallback: string, errors: string[]): number | null {
  const key = `datastore.retention.${kind}.duration`;
  const value = text(settings, key) ?? fallback;
  const parsed = parseGoDuration(value);
  if (!parsed.ok || parsed.value < 0n) {
    errors.push(`${key}: "${value}" is not a duration such as ${fallback}, or 0 to keep ${kind} forever`);
    return null;
  }
  return parsed.value === 0n ? null : nanosToMillis(parsed.value);
}

/** A positive Go duration (`5s`, `5m`) in milliseconds, or an error naming the key. */
function positiveDurationMs(settings: Settings, key: string, fallbackMs: number, errors: string[]): number {
  const value = text(settings, key);
  if (value === undefined) return fallbackMs;
  const parsed = parseGoDuration(value);
  if (!parsed.ok || parsed.value <= 0n) {
    errors.push(`${key}: "${value}" is not a positive duration such as 5s or 5m`);
    return fallbackMs;
  }
  return nanosToMillis(parsed.value);
}

/** A whole number from `min` up, or an error naming the key. */
function countOf(settings: Settings, key: string, fallback: number, min: number, errors: string[]): number {
  const value = text(settings, key);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    errors.push(`${key}: "${value}" is not a whole number of at least ${min}`);
    return fallback;
  }
  return Number(value);
}

/** `webhooks.*`: every duration positive (the retention may be 0, to keep deliveries), the backoff's max at least its initial wait. */
function webhookSettings(settings: Settings, errors: string[]): WebhookSettings {
  const defaults = DEFAULT_WEBHOOK_SETTINGS;
  const backoffInitialMs = positiveDurationMs(settings, 'webhooks.backoff.initial', defaults.backoffInitialMs, errors);
  const backoffMaxMs = positiveDurationMs(settings, 'webhooks.backoff.max', defaults.backoffMaxMs, errors);
  if (backoffMaxMs < backoffInitialMs) errors.push(`webhooks.backoff.max: must be at least webhooks.backoff.initial`);
  let retentionMs = defaults.retentionMs;
  const retention = text(settings, 'webhooks.retention');
  if (retention !== undefined) {
    const parsed = parseGoDuration(retention);
    if (!parsed.ok || parsed.value < 0n) errors.push(`webhooks.retention: "${retention}" is not a duration such as 24h, or 0 to keep deliveries forever`);
    else retentionMs = parsed.value === 0n ? null : nanosToMillis(parsed.value);
  }
  return {
    timeoutMs: positiveDurationMs(settings, 'webhooks.timeout', defaults.timeoutMs, errors),
    attempts: countOf(settings, 'webhooks.attempts', defaults.attempts, 1, errors),
    backoffInitialMs,
    backoffMaxMs,
    concurrency: countOf(settings, 'webhooks.concurrency', defaults.concurrency, 1, errors),
    retentionMs,
  };
}

/** libpq keyword DSNs (`host=localhost user=twerk …`) as URLs, which is what the pg driver takes. */
export function dsnToUrl(dsn: string): string {
  if (/^postgres(ql)?:\/\//.test(dsn)) return dsn;
  const fields = new Map(dsn.split(/\s+/).filter(Boolean).map((pair) => pair.split('=', 2) as [string, string]));
  const url = new URL('postgres://localhost');
  url.hostname = fields.get('host') ?? 'localhost';
  if (fields.has('port')) url.port = fields.get('port')!;
  if (fields.has('user')) url.username = encodeURIComponent(fields.get('user')!);
  if (fields.has('password')) url.password = encodeURIComponent(fields.get('password')!);
  url.pathname = `/${fields.get('dbname') ?? 'postgres'}`;
  if (fields.has('sslmode')) url.searchParams.set('sslmode', fields.get('sslmode')!);
  return url.toString();
}

export function resolveConfig(settings: Settings): { config: TwerkConfig; errors: [] } | { config?: undefined; errors: string[] } {
  const errors: string[] = [];
  const level = (text(settings, 'logging.level') ?? 'info').toLowerCase();
  if (!['trace', 'debug', 'info', 'warn', 'error'].includes(level)) errors.push(`logging.level: "${level}" is not one of trace, debug, info, warn, error`);
  const format = (text(settings, 'logging.format') ?? 'pretty').toLowerCase();
  if (!['json', 'pretty'].includes(format)) errors.push(`logging.format: "${format}" is not one of json, pretty`);

  const broker = (text(settings, 'broker.type') ?? 'inmemory').toLowerCase();
  if (!BROKER_TYPES.includes(broker)) {
    errors.push(`broker.type: "${broker}" is not supported: Twerk's broker is pg-boss on its own database; use one of ${BROKER_TYPES.join(', ')} (all mean the same) or leave it out`);
  }

  const storeType = (text(settings, 'datastore.type') ?? 'embedded').toLowerCase();
  let datastore: TwerkConfig['datastore'] | undefined;
  if (!DATASTORE_TYPES.includes(storeType)) errors.push(`datastore.type: "${storeType}" is not one of ${DATASTORE_TYPES.join(', ')}`);
  else if (storeType === 'postgres') {
    const dsn = text(settings, 'datastore.postgres.dsn');
    if (dsn === undefined) errors.push('datastore.postgres.dsn: is required when datastore.type is postgres');
    else datastore = { type: 'postgres', url: dsnToUrl(dsn) };
  } else {
    // `inmemory` is seed 000's quick start: embedded PGlite held in memory, nothing persisted.
    datastore = { type: 'embedded', dir: storeType === 'inmemory' ? 'memory' : (text(settings, 'datastore.embedded.dir') ?? text(settings, 'datastore.pglite.dir') ?? '.twerk/data') };
  }

  const retention = { logsMs: retentionMs(settings, 'logs', '168h', errors), jobsMs: retentionMs(settings, 'jobs', '8760h', errors) };
  const encryptionKey = text(settings, 'datastore.encryption.key');
  if (encryptionKey !== undefined && [...encryptionKey].length < MIN_KEY_LENGTH) {
    errors.push(`datastore.encryption.key: must be at least ${MIN_KEY_LENGTH} characters (it has ${[...encryptionKey].length})`);
  }

  const address = text(settings, 'coordinator.address') ?? 'localhost:8000';
  const match = /^(.*):(\d{1,5})$/.exec(address);
  if (!match || Number(match[2]) > 65535) errors.push(`coordinator.address: "${address}" is not host:port`);

  const runtimeType = (text(settings, 'runtime.type') ?? 'shell').toLowerCase();
  if (!(RUNTIME_TYPES as readonly string[]).includes(runtimeType)) errors.push(`runtime.type: "${runtimeType}" is not one of ${RUNTIME_TYPES.join(', ')}`);
  const engines = {
    docker: containerEngine(settings, 'docker', process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock', errors),
    podman: containerEngine(settings, 'podman', process.env['CONTAINER_HOST'] ?? defaultPodmanHost(), errors),
  };
  const uid = text(settings, 'runtime.shell.uid');
  const gid = text(settings, 'runtime.shell.gid');
  for (const [key, value] of [['runtime.shell.uid', uid], ['runtime.shell.gid', gid]] as const) {
    if (value !== undefined && !/^\d+$/.test(value)) errors.push(`${key}: "${value}" is not a numeric id`);
  }

  const bindAllowed = (text(settings, 'mounts.bind.allowed') ?? 'false').toLowerCase();
  if (!['true', 'false'].includes(bindAllowed)) errors.push(`mounts.bind.allowed: "${bindAllowed}" is not true or false`);

  const queues: Record<string, number> = {};
  for (const entry of list(settings, 'worker.queues') ?? ['default:1']) {
    const [name = '', count = '1'] = entry.split(':');
    if (name === '' || !/^\d+$/.test(count) || Number(count) < 1) errors.push(`worker.queues: "${entry}" is not name:concurrency`);
    else queues[name] = Number(count);
  }

  const client = resolveClientConfig(settings);
  if (client.error !== undefined) errors.push(client.error);
  const webhooks = webhookSettings(settings, errors);
  const auth = resolveAuthConfig(settings, errors);
  const web = resolveWebSettings(settings, errors);
  const endpoints = resolveEndpoints(settings, errors);

  if (errors.length > 0) return { errors };
  return {
    errors: [],
    config: {
      logging: { level: level as TwerkConfig['logging']['level'], format: format as TwerkConfig['logging']['format'] },
      datastore: datastore!,
      retention,
      ...(encryptionKey !== undefined ? { encryptionKey } : {}),
      coordinator: { host: match![1]!, port: Number(match![2]) },
      runtime: {
        type: runtimeType as RuntimeType,
        cmd: list(settings, 'runtime.shell.cmd') ?? ['bash', '-c'],
        ...(uid !== undefined ? { uid: Number(uid) } : {}),
        ...(gid !== undefined ? { gid: Number(gid) } : {}),
        docker: engines.docker!,
        podman: engines.podman!,
      },
      worker: {
        queues,
        hostEnv: list(settings, 'middleware.task.hostenv.vars') ?? [],
        dataDir: text(settings, 'worker.dir') ?? join(process.cwd(), '.twerk', 'tasks'),
        // The HTTP worker protocol's credential (worker.token, TWERK_WORKER_TOKEN); without it those routes are open.
        ...(text(settings, 'worker.token') !== undefined ? { token: text(settings, 'worker.token')! } : {}),
      },
      mounts: { bind: { allowed: bindAllowed === 'true', sources: list(settings, 'mounts.bind.sources') ?? [] } },
      client: { endpoint: client.endpoint! },
      webhooks,
      auth,
      web,
      endpoints,
    },
  };
}

/**
 * The web middleware's settings (`middleware.web.*`) and which route groups are served
 * (`coordinator.api.endpoints.*`), with Tork's defaults except where noted, resolved from the dotted
 * keys with every problem reported by its key.
 */
import { flag, list, nonEmptyList, positiveNumber, text, wholeNumber, type Settings } from '../../config/values.ts';
import { parseByteSize } from './byte-size.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type RequestLogLevel = (typeof LOG_LEVELS)[number];

export interface WebSettings {
  /** `middleware.web.cors.*`: off; when on, `*` (any) for origins, methods and headers unless listed. */
  readonly cors: {
    readonly enabled: boolean;
    readonly origins: readonly string[];
    readonly methods: readonly string[];
    readonly headers: readonly string[];
    readonly credentials: boolean;
  };
  /** `middleware.web.ratelimit.*`: off; `rps` tokens a second per client, up to `burst` at once (default: rps). */
  readonly rateLimit: { readonly enabled: boolean; readonly rps: number; readonly burst: number };
  /** `middleware.web.trustproxy`: take the client's address from X-Forwarded-For (only behind a proxy that sets it). */
  readonly trustProxy: boolean;
  /** `middleware.web.bodylimit` in bytes: no request body may be larger (documents have their own 512 KiB on top). */
  readonly bodyLimit: number;
  /** `middleware.web.logger.*`: one line per request at `level`, except requests matching `skip` (`METHOD /path`, `*` wildcards). */
  readonly logger: { readonly enabled: boolean; readonly level: RequestLogLevel; readonly skip: readonly string[] };
  /** `middleware.web.secureheaders.*` (Twerk's): nosniff, DENY framing, no referrer, same-origin resources, no-store; HSTS only with `hsts` seconds. */
  readonly secureHeaders: { readonly enabled: boolean; readonly hstsSeconds?: number };
}

/**
 * 512K rather than Tork's 500K: a job document may be 512 KiB (the document boundary's own limit), and
 * a default that refused documents the boundary accepts would make that limit a lie.
 */
export const DEFAULT_BODY_LIMIT = '512K';

export const DEFAULT_WEB_SETTINGS: WebSettings = {
  cors: { enabled: false, origins: ['*'], methods: ['*'], headers: ['*'], credentials: false },
  rateLimit: { enabled: false, rps: 20, burst: 20 },
  trustProxy: false,
  bodyLimit: parseByteSize(DEFAULT_BODY_LIMIT)!,
  logger: { enabled: true, level: 'debug', skip: ['GET /health'] },
  secureHeaders: { enabled: true },
};

/**
 * Route groups that `coordinator.api.endpoints.<group>` switches off. Tork's seven, where `jobs` also
 * covers /scheduled-jobs, and Twerk's own: `triggers` (/triggers, /api/v1/triggers, /events, /hooks,
 * /triggers/{id}/fire), `machines` and `workers` (the HTTP worker protocol).
 */
export const ENDPOINT_GROUPS = ['health', 'jobs', 'tasks', 'nodes', 'queues', 'metrics', 'users', 'triggers', 'machines', 'workers'] as const;
export type EndpointGroup = (typeof ENDPOINT_GROUPS)[number];
export type EndpointToggles = Readonly<Record<EndpointGroup, boolean>>;

export const ALL_ENDPOINTS: EndpointToggles = Object.fromEntries(ENDPOINT_GROUPS.map((group) => [group, true])) as Record<EndpointGroup, boolean>;


export function resolveWebSettings(settings: Settings, errors: string[]): WebSettings {
  const defaults = DEFAULT_WEB_SETTINGS;
  const prefix = 'middleware.web';

  const origins = nonEmptyList(settings, `${prefix}.cors.origins`, defaults.cors.origins, errors);
  for (const origin of origins) {
    if (origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(origin)) errors.push(`${prefix}.cors.origins: "${origin}" is not an origin such as https://app.example.com (scheme://host[:port], no path; * wildcards allowed)`);
  }
  const cors = {
    enabled: flag(settings, `${prefix}.cors.enabled`, defaults.cors.enabled, errors),
    origins,
    methods: nonEmptyList(settings, `${prefix}.cors.methods`, defaults.cors.methods, errors).map((method) => method.toUpperCase()),
    headers: nonEmptyList(settings, `${prefix}.cors.headers`, defaults.cors.headers, errors),
    credentials: flag(settings, `${prefix}.cors.credentials`, defaults.cors.credentials, errors),
  };

  const rps = positiveNumber(settings, `${prefix}.ratelimit.rps`, errors) ?? defaults.rateLimit.rps;
  const burst = wholeNumber(settings, `${prefix}.ratelimit.burst`, 1, errors) ?? Math.max(1, Math.floor(rps));
  const rateLimit = { enabled: flag(settings, `${prefix}.ratelimit.enabled`, defaults.rateLimit.enabled, errors), rps, burst };

  const bodyLimitText = text(settings, `${prefix}.bodylimit`) ?? DEFAULT_BODY_LIMIT;
  const bodyLimit = parseByteSize(bodyLimitText);
  if (bodyLimit === undefined) errors.push(`${prefix}.bodylimit: "${bodyLimitText}" is not a size such as 512K, 8M or 1048576 (bytes, or B, K, M, G)`);

  const levelText = (text(settings, `${prefix}.logger.level`) ?? defaults.logger.level).toLowerCase();
  const level = levelText === 'warning' ? 'warn' : levelText;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) errors.push(`${prefix}.logger.level: "${levelText}" is not one of ${LOG_LEVELS.join(', ')}`);
  const logger = {
    enabled: flag(settings, `${prefix}.logger.enabled`, defaults.logger.enabled, errors),
    level: (LOG_LEVELS as readonly string[]).includes(level) ? (level as RequestLogLevel) : defaults.logger.level,
    // An empty list is allowed here: it means log every request, /health too.
    skip: list(settings, `${prefix}.logger.skip`) ?? defaults.logger.skip,
  };

  const hstsSeconds = wholeNumber(settings, `${prefix}.secureheaders.hsts`, 0, errors);
  const secureHeaders = {
    enabled: flag(settings, `${prefix}.secureheaders.enabled`, defaults.secureHeaders.enabled, errors),
    ...(hstsSeconds !== undefined ? { hstsSeconds } : {}),
  };

  return { cors, rateLimit, trustProxy: flag(settings, `${prefix}.trustproxy`, defaults.trustProxy, errors), bodyLimit: bodyLimit ?? defaults.bodyLimit, logger, secureHeaders };
}

export function resolveEndpoints(settings: Settings, errors: string[]): EndpointToggles {
  return Object.fromEntries(ENDPOINT_GROUPS.map((group) => [group, flag(settings, `coordinator.api.endpoints.${group}`, true, errors)])) as Record<EndpointGroup, boolean>;
}

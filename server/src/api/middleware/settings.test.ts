/** `middleware.web.*` and `coordinator.api.endpoints.*` read through the configuration: defaults, TOML, TWERK_ variables, mistakes by key. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings, resolveConfig } from '../../config/config.ts';
import { ALL_ENDPOINTS, DEFAULT_WEB_SETTINGS } from './settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'twerk-web-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function resolve(env: Record<string, string>, toml?: string) {
  if (toml !== undefined) writeFileSync(join(dir, 'config.toml'), toml);
  else rmSync(join(dir, 'config.toml'), { force: true });
  return resolveConfig(loadSettings(env, dir).settings);
}

describe('web middleware configuration', () => {
  it("defaults to Tork's: CORS and rate limit off, 20 rps, request log at debug skipping GET /health, every endpoint on; a 512K body limit and security headers on", () => {
    const config = resolve({}).config!;
    expect(config.web).toEqual(DEFAULT_WEB_SETTINGS);
    expect(config.web).toEqual({
      cors: { enabled: false, origins: ['*'], methods: ['*'], headers: ['*'], credentials: false },
      rateLimit: { enabled: false, rps: 20, burst: 20 },
      trustProxy: false,
      bodyLimit: 524_288,
      logger: { enabled: true, level: 'debug', skip: ['GET /health'] },
      secureHeaders: { enabled: true },
    });
    expect(config.endpoints).toEqual(ALL_ENDPOINTS);
    expect(Object.values(config.endpoints).every(Boolean)).toBe(true);
  });

  it('reads the TOML tables', () => {
    const toml = [
      '[middleware.web]',
      'bodylimit = "8M"',
      'trustproxy = true',
      '[middleware.web.cors]',
      'enabled = true',
      'origins = ["https://app.example.com", "https://*.example.dev"]',
      'methods = ["get", "POST"]',
      'headers = ["Content-Type", "X-API-Key"]',
      'credentials = true',
      '[middleware.web.ratelimit]',
      'enabled = true',
      'rps = 5',
      'burst = 15',
      '[middleware.web.logger]',
      'level = "INFO"',
      'skip = ["GET /health", "GET /jobs/*"]',
      '[middleware.web.secureheaders]',
      'hsts = 31536000',
      '[coordinator.api.endpoints]',
      'metrics = false',
      'workers = false',
    ].join('\n');
    const config = resolve({}, toml).config!;
    expect(config.web).toEqual({
      cors: { enabled: true, origins: ['https://app.example.com', 'https://*.example.dev'], methods: ['GET', 'POST'], headers: ['Content-Type', 'X-API-Key'], credentials: true },
      rateLimit: { enabled: true, rps: 5, burst: 15 },
      trustProxy: true,
      bodyLimit: 8 * 2 ** 20,
      logger: { enabled: true, level: 'info', skip: ['GET /health', 'GET /jobs/*'] },
      secureHeaders: { enabled: true, hstsSeconds: 31_536_000 },
    });
    expect(config.endpoints).toEqual({ ...ALL_ENDPOINTS, metrics: false, workers: false });
  });

  it('lets TWERK_ variables override, a burst following the rate unless given', () => {
    const config = resolve(
      {
        TWERK_MIDDLEWARE_WEB_RATELIMIT_ENABLED: 'true',
        TWERK_MIDDLEWARE_WEB_RATELIMIT_RPS: '5',
        TWERK_MIDDLEWARE_WEB_BODYLIMIT: '1k',
        TWERK_MIDDLEWARE_WEB_CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
        TWERK_MIDDLEWARE_WEB_LOGGER_ENABLED: 'FALSE',
        TWERK_MIDDLEWARE_WEB_SECUREHEADERS_ENABLED: 'false',
        TWERK_COORDINATOR_API_ENDPOINTS_JOBS: 'false',
      },
      '[middleware.web.ratelimit]\nrps = 50\n',
    ).config!;
    expect(config.web.rateLimit).toEqual({ enabled: true, rps: 5, burst: 5 });
    expect(config.web.bodyLimit).toBe(1024);
    expect(config.web.cors.origins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.web.logger.enabled).toBe(false);
    expect(config.web.secureHeaders.enabled).toBe(false);
    expect(config.endpoints).toEqual({ ...ALL_ENDPOINTS, jobs: false });
    expect(resolve({ TWERK_MIDDLEWARE_WEB_RATELIMIT_RPS: '0.5' }).config?.web.rateLimit).toEqual({ enabled: false, rps: 0.5, burst: 1 });
    expect(resolve({ TWERK_MIDDLEWARE_WEB_LOGGER_LEVEL: 'WARNING' }).config?.web.logger.level).toBe('warn');
  });

  it('names every bad value with its key', () => {
    const result = resolve({
      TWERK_MIDDLEWARE_WEB_CORS_ENABLED: 'yes',
      TWERK_MIDDLEWARE_WEB_CORS_ORIGINS: 'app.example.com',
      TWERK_MIDDLEWARE_WEB_RATELIMIT_RPS: 'fast',
      TWERK_MIDDLEWARE_WEB_RATELIMIT_BURST: '0',
      TWERK_MIDDLEWARE_WEB_BODYLIMIT: '12 parsecs',
      TWERK_MIDDLEWARE_WEB_LOGGER_LEVEL: 'loud',
      TWERK_MIDDLEWARE_WEB_SECUREHEADERS_HSTS: '-1',
      TWERK_MIDDLEWARE_WEB_TRUSTPROXY: 'sometimes',
      TWERK_COORDINATOR_API_ENDPOINTS_NODES: 'off',
    });
    expect(result.errors).toEqual([
      'middleware.web.cors.origins: "app.example.com" is not an origin such as https://app.example.com (scheme://host[:port], no path; * wildcards allowed)',
      'middleware.web.cors.enabled: "yes" is not true or false',
      'middleware.web.ratelimit.rps: "fast" is not a positive number',
      'middleware.web.ratelimit.burst: "0" is not a whole number of at least 1',
      'middleware.web.bodylimit: "12 parsecs" is not a size such as 512K, 8M or 1048576 (bytes, or B, K, M, G)',
      'middleware.web.logger.level: "loud" is not one of trace, debug, info, warn, error',
      'middleware.web.secureheaders.hsts: "-1" is not a whole number of at least 0',
      'middleware.web.trustproxy: "sometimes" is not true or false',
      'coordinator.api.endpoints.nodes: "off" is not true or false',
    ]);
    expect(resolve({ TWERK_MIDDLEWARE_WEB_RATELIMIT_RPS: '0' }).errors).toEqual(['middleware.web.ratelimit.rps: "0" is not a positive number']);
    expect(resolve({}, '[middleware.web.cors]\nmethods = []\n').errors).toEqual(['middleware.web.cors.methods: is empty; leave it out for *']);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dsnToUrl, loadSettings, resolveClientConfig, resolveConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'twerk-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function resolve(env: Record<string, string>, toml?: string) {
  if (toml !== undefined) writeFileSync(join(dir, 'config.toml'), toml);
  else rmSync(join(dir, 'config.toml'), { force: true });
  return resolveConfig(loadSettings(env, dir).settings);
}

describe('configuration', () => {
  it('defaults to an embedded, persisted datastore, the shell runtime and localhost:8000', () => {
    expect(resolve({}).config).toMatchObject({ datastore: { type: 'embedded', dir: '.twerk/data' }, coordinator: { host: 'localhost', port: 8000 }, runtime: { type: 'shell', cmd: ['bash', '-c'] }, worker: { queues: { default: 1 } } });
  });

  it("runs seed 000's quick start: in-memory broker and datastore, shell runtime", () => {
    expect(resolve({ TWERK_BROKER_TYPE: 'inmemory', TWERK_DATASTORE_TYPE: 'inmemory', TWERK_RUNTIME_TYPE: 'shell' }).config?.datastore).toEqual({ type: 'embedded', dir: 'memory' });
  });

  it('reads the TOML file and lets TWERK_ variables override it', () => {
    const toml = '[datastore]\ntype = "postgres"\n[datastore.postgres]\ndsn = "host=db user=twerk password=p@ss dbname=twerk port=5433 sslmode=disable"\n[coordinator]\naddress = "0.0.0.0:9000"\n';
    const config = resolve({ TWERK_COORDINATOR_ADDRESS: '127.0.0.1:8080' }, toml).config;
    expect(config?.datastore).toEqual({ type: 'postgres', url: 'postgres://twerk:p%40ss@db:5433/twerk?sslmode=disable' });
    expect(config?.coordinator).toEqual({ host: '127.0.0.1', port: 8080 });
  });

  it('honours TWERK_CONFIG and reports a missing file', () => {
    const file = join(dir, 'other.toml');
    writeFileSync(file, '[runtime.shell]\ncmd = ["sh", "-c"]\n');
    expect(resolveConfig(loadSettings({ TWERK_CONFIG: file }, dir).settings).config?.runtime.cmd).toEqual(['sh', '-c']);
    expect(() => loadSettings({ TWERK_CONFIG: join(dir, 'missing.toml') }, dir)).toThrow('does not exist');
  });

  it('names every problem with its key, including RabbitMQ, which is not how Twerk brokers', () => {
    const result = resolve({ TWERK_BROKER_TYPE: 'rabbitmq', TWERK_RUNTIME_TYPE: 'lxc', TWERK_COORDINATOR_ADDRESS: 'nowhere', TWERK_WORKER_QUEUES: 'default:x' });
    expect(result.errors).toEqual([
      expect.stringContaining('broker.type: "rabbitmq" is not supported'),
      'coordinator.address: "nowhere" is not host:port',
      'runtime.type: "lxc" is not one of shell, docker, podman',
      'worker.queues: "default:x" is not name:concurrency',
    ]);
  });

  it('reads the container engines: host, privileged, image TTL and config file, with Docker defaults', () => {
    const config = resolve({ TWERK_RUNTIME_TYPE: 'podman', TWERK_RUNTIME_PODMAN_HOST: 'unix:///tmp/podman.sock', TWERK_RUNTIME_PODMAN_PRIVILEGED: 'true', TWERK_RUNTIME_PODMAN_IMAGE_TTL: '1h', TWERK_RUNTIME_DOCKER_CONFIG: '/etc/docker.json' }).config;
    expect(config?.runtime).toMatchObject({
      type: 'podman',
      podman: { host: 'unix:///tmp/podman.sock', privileged: true, imageTtlMs: 3_600_000 },
      docker: { privileged: false, imageTtlMs: 600_000, config: '/etc/docker.json' },
    });
    expect(resolve({ TWERK_RUNTIME_DOCKER_HOST: 'docker.sock', TWERK_RUNTIME_DOCKER_PRIVILEGED: 'maybe', TWERK_RUNTIME_DOCKER_IMAGE_TTL: 'soon' }).errors).toEqual([
      'runtime.docker.host: "docker.sock" is not unix:///path, tcp://host:port or an http(s) URL',
      'runtime.docker.privileged: "maybe" is not true or false',
      'runtime.docker.image.ttl: "soon" is not a positive duration such as 10m or 24h',
    ]);
  });

  it('reads worker queues as name:concurrency lists', () => {
    expect(resolve({ TWERK_WORKER_QUEUES: 'default:2, gpu:1' }).config?.worker.queues).toEqual({ default: 2, gpu: 1 });
  });

  it('keeps log parts 168h and ended jobs 8760h unless datastore.retention says otherwise; 0 keeps them forever', () => {
    expect(resolve({}).config?.retention).toEqual({ logsMs: 168 * 3_600_000, jobsMs: 8760 * 3_600_000 });
    const toml = '[datastore.retention.logs]\nduration = "24h"\n[datastore.retention.jobs]\nduration = "720h"\n';
    expect(resolve({}, toml).config?.retention).toEqual({ logsMs: 24 * 3_600_000, jobsMs: 720 * 3_600_000 });
    expect(resolve({ TWERK_DATASTORE_RETENTION_LOGS_DURATION: '90m' }, toml).config?.retention).toEqual({ logsMs: 90 * 60_000, jobsMs: 720 * 3_600_000 });
    expect(resolve({ TWERK_DATASTORE_RETENTION_LOGS_DURATION: '0', TWERK_DATASTORE_RETENTION_JOBS_DURATION: '0s' }).config?.retention).toEqual({ logsMs: null, jobsMs: null });
    expect(resolve({}, '[datastore.retention.jobs]\nduration = 0\n').config?.retention.jobsMs).toBeNull();
  });

  it('reads datastore.encryption.key from [datastore.encryption] or TWERK_DATASTORE_ENCRYPTION_KEY, refuses one under 16 characters, and never echoes it', () => {
    expect(resolve({}).config?.encryptionKey).toBeUndefined();
    expect(resolve({}, '[datastore.encryption]\nkey = "a passphrase from the file"\n').config?.encryptionKey).toBe('a passphrase from the file');
    expect(resolve({ TWERK_DATASTORE_ENCRYPTION_KEY: 'a passphrase from the environment' }).config?.encryptionKey).toBe('a passphrase from the environment');
    const short = resolve({ TWERK_DATASTORE_ENCRYPTION_KEY: 'too-short-key' });
    expect(short.errors).toEqual(['datastore.encryption.key: must be at least 16 characters (it has 13)']);
    expect(short.errors.join()).not.toContain('too-short-key');
  });

  it('names the retention key whose duration is not one', () => {
    expect(resolve({ TWERK_DATASTORE_RETENTION_LOGS_DURATION: 'a week', TWERK_DATASTORE_RETENTION_JOBS_DURATION: '-1h' }).errors).toEqual([
      'datastore.retention.logs.duration: "a week" is not a duration such as 168h, or 0 to keep logs forever',
      'datastore.retention.jobs.duration: "-1h" is not a duration such as 8760h, or 0 to keep jobs forever',
    ]);
  });

  it('reads webhook delivery settings from [webhooks] or TWERK_WEBHOOKS_*, with defaults, and names a bad one', () => {
    expect(resolve({}).config?.webhooks).toEqual({ timeoutMs: 5_000, attempts: 10, backoffInitialMs: 1_000, backoffMaxMs: 300_000, concurrency: 16, retentionMs: 86_400_000 });
    const toml = '[webhooks]\ntimeout = "2s"\nattempts = 3\nconcurrency = 4\nretention = "0"\n[webhooks.backoff]\ninitial = "250ms"\nmax = "1m"\n';
    expect(resolve({ TWERK_WEBHOOKS_ATTEMPTS: '5' }, toml).config?.webhooks).toEqual({ timeoutMs: 2_000, attempts: 5, backoffInitialMs: 250, backoffMaxMs: 60_000, concurrency: 4, retentionMs: null });
    expect(resolve({ TWERK_WEBHOOKS_TIMEOUT: '0s', TWERK_WEBHOOKS_ATTEMPTS: '0', TWERK_WEBHOOKS_BACKOFF_INITIAL: '1m', TWERK_WEBHOOKS_BACKOFF_MAX: '1s', TWERK_WEBHOOKS_CONCURRENCY: 'many', TWERK_WEBHOOKS_RETENTION: '-1h' }).errors).toEqual([
      'webhooks.backoff.max: must be at least webhooks.backoff.initial',
      'webhooks.retention: "-1h" is not a duration such as 24h, or 0 to keep deliveries forever',
      'webhooks.timeout: "0s" is not a positive duration such as 5s or 5m',
      'webhooks.attempts: "0" is not a whole number of at least 1',
      'webhooks.concurrency: "many" is not a whole number of at least 1',
    ]);
  });

  it('passes URLs through and converts keyword DSNs', () => {
    expect(dsnToUrl('postgres://a@b/c')).toBe('postgres://a@b/c');
    expect(dsnToUrl('host=localhost dbname=x')).toBe('postgres://localhost/x');
  });

  it("reads the client commands' endpoint from [client] endpoint or TWERK_CLIENT_ENDPOINT, and checks it is a URL", () => {
    expect(resolve({}).config?.client).toEqual({ endpoint: 'http://localhost:8000' });
    expect(resolve({}, '[client]\nendpoint = "http://twerk:9000"\n').config?.client).toEqual({ endpoint: 'http://twerk:9000' });
    expect(resolve({ TWERK_CLIENT_ENDPOINT: 'https://twerk.example' }, '[client]\nendpoint = "http://twerk:9000"\n').config?.client).toEqual({ endpoint: 'https://twerk.example' });
    expect(resolveClientConfig(loadSettings({ TWERK_CLIENT_ENDPOINT: 'localhost:8000' }, dir).settings)).toEqual({ error: 'client.endpoint: "localhost:8000" is not an http(s) URL' });
  });
});

/**
 * What auth costs a request (`npm run bench`): `GET /jobs?size=1` 500 times, one at a time, against a
 * standalone server without auth (the baseline), and against one with auth on — with an API key (a
 * digest and a lookup per request), and with basic auth (scrypt, remembered for a minute after the first
 * check). Also `GET /metrics` in Prometheus text against the JSON, and the peak RSS of both servers.
 */
import { startServerProcess } from '../support/server-process.ts';
import { median } from './measure.ts';

const REQUESTS = 500;
const AUTH = { TWERK_MIDDLEWARE_WEB_BASICAUTH_ENABLED: 'true', TWERK_MIDDLEWARE_WEB_KEYAUTH_ENABLED: 'true', TWERK_AUTH_ADMIN_PASSWORD: 'bench-password-1' };
const basic = `Basic ${Buffer.from('admin:bench-password-1').toString('base64')}`;

async function rate(base: string, path: string, headers: Record<string, string>): Promise<number> {
  const elapsed = await median(3, async () => {
    for (let index = 0; index < REQUESTS; index += 1) {
      const response = await fetch(`${base}${path}`, { headers });
      if (!response.ok) throw new Error(`${path} answered ${response.status}`);
      await response.arrayBuffer();
    }
  });
  return (REQUESTS / elapsed) * 1000;
}

const open = await startServerProcess({});
const plain = await rate(open.base, '/jobs?size=1', {});
const metricsJson = await rate(open.base, '/metrics', {});
const metricsText = await rate(open.base, '/metrics', { accept: 'text/plain' });
const openMemory = open.memory().server;
await open.stop();

const guarded = await startServerProcess(AUTH);
const made = await fetch(`${guarded.base}/keys`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) });
const { key } = (await made.json()) as { key: string };
const withKey = await rate(guarded.base, '/jobs?size=1', { 'x-api-key': key });
const withBasic = await rate(guarded.base, '/jobs?size=1', { authorization: basic });
const guardedMemory = guarded.memory().server;
await guarded.stop();

console.log('\n| auth and metrics (standalone server process, embedded PGlite) | requests/s |\n|---|---|');
console.log(`| GET /jobs?size=1, no auth (baseline) | ${plain.toFixed(0)} |`);
console.log(`| GET /jobs?size=1 with an API key | ${withKey.toFixed(0)} (${(withKey / plain).toFixed(2)}× the baseline) |`);
console.log(`| GET /jobs?size=1 with basic auth (verdict remembered) | ${withBasic.toFixed(0)} (${(withBasic / plain).toFixed(2)}× the baseline) |`);
console.log(`| GET /metrics, Tork's JSON | ${metricsJson.toFixed(0)} (${(metricsJson / plain).toFixed(2)}× the baseline) |`);
console.log(`| GET /metrics, Prometheus text | ${metricsText.toFixed(0)} (${(metricsText / plain).toFixed(2)}× the baseline) |`);
console.log(`| peak RSS of the server, no auth / auth on | ${openMemory.toFixed(0)} MiB / ${guardedMemory.toFixed(0)} MiB |`);

/**
 * Fan-out benchmark (`npm run bench`): one job with an `each` over N items of `true` (N = FANOUT_ITEMS,
 * default 5,000) on embedded PGlite, against raw pg-boss batch fetch+complete throughput measured in
 * the same run, every measurement in its own process with the server's node options:
 *   (a) the engine with a no-op runtime, which isolates the engine's own cost (fanout-run.ts), and
 *   (b) `twerk server start standalone` with the shell runtime and 8 worker slots, over HTTP — whose
 *       peak RSS is the server's during the job.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '@twerk/server';
import { startServerProcess } from '../support/server-process.ts';

const ITEMS = Number(process.env['FANOUT_ITEMS'] ?? 5000);

function measure(mode: 'raw' | 'noop'): { rate: number; peakRssMiB: number } {
  const output = execFileSync(process.execPath, [...SERVER_NODE_FLAGS, join(import.meta.dirname, 'fanout-run.ts'), mode, String(ITEMS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(output.trim().split('\n').pop()!) as { rate: number; peakRssMiB: number };
}

const raw = measure('raw');
const noop = measure('noop');

const server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:8' });
const started = performance.now();
const job = await server.submit(`name: fan-out\ntasks:\n  - name: each\n    each:\n      list: "{{ sequence(0, ${ITEMS}) }}"\n      task:\n        name: item\n        run: "true"\n`);
if (job.state !== 'COMPLETED') throw new Error(`the fan-out ended ${job.state}: ${job.error}`);
const shell = ITEMS / ((performance.now() - started) / 1000);
const memory = server.memory();
await server.stop();

const share = (rate: number) => `${((rate / raw.rate) * 100).toFixed(1)}%`;
console.log(`\n| fan-out of ${ITEMS} items (embedded PGlite) | tasks/s | vs raw pg-boss | peak RSS |\n|---|---|---|---|`);
console.log(`| raw pg-boss fetch+complete, batches of 100 (baseline) | ${raw.rate.toFixed(0)} | 100% | ${raw.peakRssMiB.toFixed(0)} MiB |`);
console.log(`| engine, no-op runtime, 100 slots (target ≥ 25% of raw) | ${noop.rate.toFixed(0)} | ${share(noop.rate)} | ${noop.peakRssMiB.toFixed(0)} MiB |`);
console.log(`| standalone server, shell runtime, 8 slots (RSS target ≤ 300 MB) | ${shell.toFixed(0)} | ${share(shell)} | ${memory.server.toFixed(0)} MiB (sidecar ${memory.sidecar.toFixed(0)} MiB) |`);

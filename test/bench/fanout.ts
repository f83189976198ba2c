/**
 * Fan-out benchmark (`npm run bench`): one job with an `each` over N items of `true` (N = FANOUT_ITEMS,
 * default 5,000) on embedded PGlite, run (a) with a no-op runtime that isolates the engine's own cost and
 * (b) with the shell runtime, against raw pg-boss batch fetch+complete throughput measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type JobDocument } from '@twerk/contract';
import { openPglite, shellRunner, startEngine } from '@twerk/server';
import { ShellSidecar } from '@twerk/worker';
import { PgBoss, fromPglite } from 'pg-boss';

const ITEMS = Number(process.env['FANOUT_ITEMS'] ?? 5000);
const scratch = mkdtempSync(join(tmpdir(), 'twerk-fanout-'));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function rawPgBoss(): Promise<number> {
  const db = await openPglite({ dataDir: 'memory' });
  const boss = new PgBoss({ backend: 'pglite', db: fromPglite(db.pglite), schema: 'bench' });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('raw');
  await boss.insert('raw', Array.from({ length: ITEMS }, (_, index) => ({ data: { index } })));
  const started = performance.now();
  let done = 0;
  while (done < ITEMS) {
    const jobs = await boss.fetch('raw', { batchSize: 100 });
    if (jobs.length === 0) break;
    await boss.complete('raw', jobs.map((job) => job.id));
    done += jobs.length;
  }
  const rate = done / ((performance.now() - started) / 1000);
  await boss.stop({ graceful: false });
  await db.close();
  return rate;
}

async function engineRun(label: string, useShell: boolean): Promise<number> {
  const db = await openPglite({ dataDir: 'memory' });
  const sidecar = useShell ? ShellSidecar.start() : undefined;
  const runner = useShell ? shellRunner({ baseDir: scratch }, sidecar) : { run: async () => ({ status: 'completed' as const, result: '' }) };
  const engine = await startEngine({ db, coordinator: true, worker: { runner, queues: { default: useShell ? 8 : 100 }, nodeId: label } });
  const parsed = parseDocument(`name: fan-out\ntasks:\n  - name: each\n    each:\n      list: "{{ sequence(0, ${ITEMS}) }}"\n      task:\n        name: item\n        run: "true"\n`, 'text/yaml');
  if (!parsed.ok || parsed.value.family !== 'job') throw new Error('bad document');
  const document: JobDocument = parsed.value.job;
  const started = performance.now();
  const id = await engine.submit(document);
  const job = await engine.waitForJob(id, 600_000);
  if (job === 'timeout' || job?.state !== 'COMPLETED') throw new Error(`job ended ${job === 'timeout' ? 'never' : job?.state}`);
  const rate = ITEMS / ((performance.now() - started) / 1000);
  await engine.stop();
  await sidecar?.stop();
  await db.close();
  return rate;
}

const raw = await rawPgBoss();
const noop = await engineRun('noop', false);
const shell = await engineRun('shell', true);
clearInterval(sampler);
rmSync(scratch, { recursive: true, force: true });
console.log(`\n| fan-out of ${ITEMS} items (PGlite) | tasks/s | vs raw pg-boss |\n|---|---|---|`);
console.log(`| raw pg-boss fetch+complete, batches of 100 (baseline) | ${raw.toFixed(0)} | 100% |`);
console.log(`| engine, no-op runtime (target ≥ 25% of raw) | ${noop.toFixed(0)} | ${((noop / raw) * 100).toFixed(1)}% |`);
console.log(`| engine, shell runtime | ${shell.toFixed(0)} | ${((shell / raw) * 100).toFixed(1)}% |`);
console.log(`\npeak RSS (target ≤ 300 MB): ${(peakRss / 2 ** 20).toFixed(0)} MiB`);

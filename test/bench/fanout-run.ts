/**
 * One measurement of the fan-out benchmark, in its own process (started by fanout.ts with the node
 * options the server uses), so each figure and each peak RSS belongs to that measurement alone.
 *   raw  — pg-boss alone: ITEMS jobs fetched and completed in batches of 100 (the baseline)
 *   noop — the engine, with a runtime that does nothing (engine cost only), 100 worker slots
 * Prints one JSON line: { rate, peakRssMiB }.
 */
import { readFileSync } from 'node:fs';
import { parseDocument, type JobDocument } from '@twerk/contract';
import { openPglite, startEngine } from '@twerk/server';
import { PgBoss, fromPglite } from 'pg-boss';

const [mode = 'noop', items = '5000'] = process.argv.slice(2);
const ITEMS = Number(items);

function peakRssMiB(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
}

async function raw(): Promise<number> {
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

async function noop(): Promise<number> {
  const db = await openPglite({ dataDir: 'memory' });
  const runner = { run: async () => ({ status: 'completed' as const, result: '' }) };
  const engine = await startEngine({ db, coordinator: true, worker: { runner, queues: { default: 100 }, nodeId: 'noop' } });
  const parsed = parseDocument(`name: fan-out\ntasks:\n  - name: each\n    each:\n      list: "{{ sequence(0, ${ITEMS}) }}"\n      task:\n        name: item\n        run: "true"\n`, 'text/yaml');
  if (!parsed.ok || parsed.value.family !== 'job') throw new Error('bad document');
  const started = performance.now();
  const job = await engine.waitForJob(await engine.submit(parsed.value.job as JobDocument), 600_000);
  if (job === 'timeout' || job?.state !== 'COMPLETED') throw new Error(`the fan-out ended ${job === 'timeout' ? 'never' : job?.state}`);
  const rate = ITEMS / ((performance.now() - started) / 1000);
  await engine.stop();
  await db.close();
  return rate;
}

const rate = mode === 'raw' ? await raw() : await noop();
console.log(JSON.stringify({ rate, peakRssMiB: peakRssMiB() }));

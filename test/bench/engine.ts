/**
 * Engine benchmark (`npm run bench`): a 200-task sequential job of `true` tasks on embedded PGlite with
 * the shell runtime, in this process. Reported: the median per-task overhead — the job's run time per
 * task minus the median cost of `bash -c true` measured in the same run — and the peak RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type JobDocument } from '@twerk/contract';
import { openPglite, shellRunner, startEngine } from '@twerk/server';
import { runShellTask, ShellSidecar } from '@twerk/worker';

const TASKS = 200;
const scratch = mkdtempSync(join(tmpdir(), 'twerk-bench-'));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

async function median(rounds: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}

const bashTrue = await median(50, () => new Promise((resolve) => spawn('bash', ['-c', 'true']).on('close', resolve)));
const runtimeTrue = await median(50, () => runShellTask({ taskId: 'b', jobId: 'b', run: 'true' }, { baseDir: scratch }));

const db = await openPglite({ dataDir: 'memory' });
// As `twerk server start standalone` does: tasks are spawned from a small sidecar process.
const sidecar = ShellSidecar.start();
const engine = await startEngine({ db, coordinator: true, worker: { runner: shellRunner({ baseDir: scratch }, sidecar), queues: { default: 1 }, nodeId: 'bench' } });
const yaml = `name: sequential\ntasks:\n${Array.from({ length: TASKS }, (_, index) => `  - name: t${index}\n    run: "true"\n`).join('')}`;
const parsed = parseDocument(yaml, 'text/yaml');
if (!parsed.ok || parsed.value.family !== 'job') throw new Error('bad benchmark document');
const document: JobDocument = parsed.value.job;

const jobTimes: number[] = [];
for (let round = 0; round < 3; round += 1) {
  const started = performance.now();
  const id = await engine.submit(document);
  const job = await engine.waitForJob(id, 600_000);
  if (job === 'timeout' || job?.state !== 'COMPLETED') throw new Error(`job ended ${job === 'timeout' ? 'never' : job?.state}`);
  jobTimes.push(performance.now() - started);
}
await engine.stop();
await sidecar.stop();
await db.close();
clearInterval(sampler);
rmSync(scratch, { recursive: true, force: true });

const perTask = jobTimes.sort((a, b) => a - b)[1]! / TASKS;
console.log(`\n| engine measurement (PGlite, shell runtime) | value |\n|---|---|`);
console.log(`| bash -c true (baseline, median of 50) | ${bashTrue.toFixed(2)} ms |`);
console.log(`| runShellTask(true) (median of 50) | ${runtimeTrue.toFixed(2)} ms (${(runtimeTrue / bashTrue).toFixed(2)}× the baseline) |`);
console.log(`| ${TASKS}-task sequential job, median of 3 runs, per task | ${perTask.toFixed(2)} ms |`);
console.log(`| per-task overhead over bash -c true (target ≤ 10 ms) | ${(perTask - bashTrue).toFixed(2)} ms |`);
console.log(`| peak RSS (target ≤ 250 MB) | ${(peakRss / 2 ** 20).toFixed(0)} MiB |`);

/**
 * Engine benchmark (`npm run bench`): `twerk server start standalone` as users run it — its own
 * process, embedded PGlite held in memory, the shell runtime, one worker slot — runs a 200-task
 * sequential job of `true` tasks, submitted over HTTP with ?wait=true, three times. Reported: the
 * per-task overhead — the job's run time per task minus the median cost of `bash -c true` measured in
 * the same run — and the peak RSS of the server process (and of its task-spawning sidecar).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runShellTask } from '@twerk/worker';
import { startServerProcess } from '../support/server-process.ts';
import { median } from './measure.ts';

const TASKS = 200;
const ROUNDS = 5;
const scratch = mkdtempSync(join(tmpdir(), 'twerk-bench-'));


const bashTrue = await median(50, () => new Promise((resolve) => spawn('bash', ['-c', 'true']).on('close', resolve)));
const runtimeTrue = await median(50, () => runShellTask({ taskId: 'b', jobId: 'b', run: 'true' }, { baseDir: scratch }));

const server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:1' });
const yaml = `name: sequential\ntasks:\n${Array.from({ length: TASKS }, (_, index) => `  - name: t${index}\n    run: "true"\n`).join('')}`;
const jobTime = await median(ROUNDS, async () => {
  const job = await server.submit(yaml);
  if (job.state !== 'COMPLETED') throw new Error(`the job ended ${job.state}: ${job.error}`);
});
const memory = server.memory();
await server.stop();
rmSync(scratch, { recursive: true, force: true });

const perTask = jobTime / TASKS;
console.log(`\n| engine measurement (standalone server process, embedded PGlite, shell runtime) | value |\n|---|---|`);
console.log(`| bash -c true (baseline, median of 50) | ${bashTrue.toFixed(2)} ms |`);
console.log(`| runShellTask(true) (median of 50) | ${runtimeTrue.toFixed(2)} ms (${(runtimeTrue / bashTrue).toFixed(2)}× the baseline) |`);
console.log(`| ${TASKS}-task sequential job, median of ${ROUNDS} runs, per task | ${perTask.toFixed(2)} ms |`);
console.log(`| per-task overhead over bash -c true (target ≤ 10 ms) | ${(perTask - bashTrue).toFixed(2)} ms |`);
console.log(`| peak RSS of the server process (target ≤ 250 MB) | ${memory.server.toFixed(0)} MiB (its sidecar: ${memory.sidecar.toFixed(0)} MiB) |`);

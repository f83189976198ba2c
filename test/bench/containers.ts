/**
 * Container benchmark (`npm run bench`): the cost of a container task in Twerk against the raw cost of
 * a container on the same engine, measured in the same run — podman's Docker-compatible service and the
 * local test image (tools/podman-setup.sh). Baselines: `podman run --rm IMAGE true` (the CLI), and the
 * bare API calls a container needs (create, start, wait, remove). Then Twerk's container runtime on its
 * own (its /twerk volume, archive copy, log attach, output read, cleanup), and a sequential job of
 * container tasks through `twerk server start standalone` with runtime.type = podman.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';
import { ContainerRuntime } from '@twerk/worker';
import { startServerProcess } from '../support/server-process.ts';
import { median } from './measure.ts';

const TASKS = 20;
const ROUNDS = 3;
const IMAGE = 'ubuntu:mantic';
const setup = join(import.meta.dirname, '..', '..', 'tools', 'podman-setup.sh');
const socket = await new Promise<string>((resolve, reject) => execFile('bash', [setup], (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))));
const docker = new Docker({ socketPath: socket });
const containersConf = join(import.meta.dirname, '..', '..', 'tools', 'podman', 'containers.conf');


const podmanRun = await median(15, () => new Promise((resolve, reject) => execFile('podman', ['run', '--rm', IMAGE, 'true'], { env: { ...process.env, CONTAINERS_CONF: containersConf } }, (error) => (error ? reject(error) : resolve(undefined)))));
const apiRun = await median(15, async () => {
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ['true'] });
  await container.start();
  await container.wait();
  await container.remove({ force: true });
});
const runtime = new ContainerRuntime({ docker, owner: `bench-${process.pid}` });
let sequence = 0;
const runtimeRun = await median(15, async () => {
  sequence += 1;
  const outcome = await runtime.run({ taskId: `bench${sequence}`, jobId: 'bench', name: 'bench', image: IMAGE, run: 'true' });
  if (outcome.status !== 'completed') throw new Error(`the task ended ${outcome.status}`);
});

const server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:1', TWERK_RUNTIME_TYPE: 'podman', TWERK_RUNTIME_PODMAN_HOST: `unix://${socket}` });
const yaml = `name: containers\ntasks:\n${Array.from({ length: TASKS }, (_, index) => `  - name: t${index}\n    image: ${IMAGE}\n    run: "true"\n`).join('')}`;
const jobTime = await median(ROUNDS, async () => {
  const job = await server.submit(yaml);
  if (job.state !== 'COMPLETED') throw new Error(`the job ended ${job.state}: ${job.error}`);
});
await server.stop();

const perTask = jobTime / TASKS;
console.log(`\n| container measurement (podman ${IMAGE}, median) | value |\n|---|---|`);
console.log(`| podman run --rm ${IMAGE} true (baseline, 15 runs) | ${podmanRun.toFixed(0)} ms |`);
console.log(`| the same through the API: create, start, wait, remove (15 runs) | ${apiRun.toFixed(0)} ms (${(apiRun / podmanRun).toFixed(2)}× podman run) |`);
console.log(`| Twerk's container runtime, one task (15 runs) | ${runtimeRun.toFixed(0)} ms (${(runtimeRun / podmanRun).toFixed(2)}× podman run) |`);
console.log(`| ${TASKS}-task sequential job through the server, per task (${ROUNDS} runs) | ${perTask.toFixed(0)} ms (${(perTask / podmanRun).toFixed(2)}× podman run) |`);
console.log(`| per-task overhead over podman run | ${(perTask - podmanRun).toFixed(0)} ms |`);

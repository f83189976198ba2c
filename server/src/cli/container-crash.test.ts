/**
 * A container worker killed mid-task: the task's container outlives the worker (the engine runs it),
 * so the worker started again must remove it before the task runs again — nothing of a lost attempt
 * may go on beside its rerun. Runs the real server with `runtime.type = podman`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerOf } from '../engine/container-runner.ts';
import { podmanSocket } from '../../../worker/src/runtime/testing-podman.ts';
import { freePort, until } from './testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-container-crash-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const socket = podmanSocket();
const docker = dockerOf(`unix://${socket}`);
const owner = `${hostname()}:${resolve(scratch, 'tasks')}:podman`;


function start(port: number): ChildProcess {
  return spawn(process.execPath, [cli, 'server', 'start', 'standalone'], {
    cwd: scratch,
    env: {
      ...process.env,
      TWERK_DATASTORE_TYPE: 'embedded',
      TWERK_DATASTORE_EMBEDDED_DIR: join(scratch, 'data'),
      TWERK_COORDINATOR_ADDRESS: `127.0.0.1:${port}`,
      TWERK_WORKER_DIR: join(scratch, 'tasks'),
      TWERK_RUNTIME_TYPE: 'podman',
      TWERK_RUNTIME_PODMAN_HOST: `unix://${socket}`,
    },
    stdio: 'ignore',
  });
}


const ownContainers = () => docker.listContainers({ all: true, filters: JSON.stringify({ label: [`io.twerk.owner=${owner}`] }) });

describe('a podman worker killed mid-task', () => {
  it('removes the orphaned container when it starts again, and the task then runs to its end', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let server = start(port);
    try {
      await until('health', async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 60_000);
      const document = 'name: in a container\noutput: "{{ tasks.slow }}"\ntasks:\n  - name: slow\n    var: slow\n    image: ubuntu:mantic\n    run: sleep 3; echo -n "done in $(hostname)" > $TWERK_OUTPUT\n';
      const submitted = (await (await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: document })).json()) as { id: string };
      const orphan = await until('the task container to run', async () => (await ownContainers()).find((container) => container.State === 'running'), 30_000);
      server.kill('SIGKILL');
      await new Promise((done) => server.once('exit', done));
      expect((await docker.getContainer(orphan.Id).inspect()).State.Running).toBe(true);

      server = start(port);
      await until('health after the restart', async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 60_000);
      // The sweep ran before the worker took any task.
      await expect(docker.getContainer(orphan.Id).inspect()).rejects.toMatchObject({ statusCode: 404 });
      const finished = await until(
        'the job to finish',
        async () => {
          const job = (await (await fetch(`${base}/jobs/${submitted.id}`)).json()) as { state: string; result?: string };
          return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.state) ? job : undefined;
        },
        90_000,
      );
      expect(finished).toMatchObject({ state: 'COMPLETED', result: expect.stringMatching(/^done in [0-9a-f]{12}$/) });
      expect(finished.result).not.toBe(`done in ${orphan.Id.slice(0, 12)}`);
      expect(await ownContainers()).toEqual([]);
    } finally {
      server.kill('SIGKILL');
      for (const container of await ownContainers()) await docker.getContainer(container.Id).remove({ force: true }).catch(() => {});
    }
  }, 180_000);
});

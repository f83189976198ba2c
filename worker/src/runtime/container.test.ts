/**
 * The container runtime against a real engine: podman's Docker-compatible service on this machine,
 * running the local test image (busybox and bash) under the names the examples use.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerRuntime, type ContainerTask } from './container.ts';
import { ImageStore } from './container-images.ts';
import { podman } from './testing-podman.ts';

const docker = podman();
const owner = `test-${process.pid}`;
const runtime = new ContainerRuntime({ docker, owner, logFlushMs: 20 });

let sequence = 0;
function containerTask(fields: Partial<ContainerTask>): ContainerTask {
  sequence += 1;
  return { taskId: `t${process.pid}x${sequence}`, jobId: 'j1', name: 'a task', image: 'ubuntu:mantic', ...fields };
}

async function leftovers(): Promise<{ containers: number; volumes: number }> {
  const filters = JSON.stringify({ label: [`io.twerk.owner=${owner}`] });
  const containers = await docker.listContainers({ all: true, filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return { containers: containers.length, volumes: volumes.length };
}

function collect() {
  const lines: { stream: string; data: string }[] = [];
  return {
    hooks: { onLog: (chunk: { stream: 'stdout' | 'stderr'; data: string }) => void lines.push(chunk) },
    text: (stream: 'stdout' | 'stderr') =>
      lines
        .filter((line) => line.stream === stream)
        .map((line) => line.data)
        .join(''),
  };
}

describe('the container runtime', () => {
  afterAll(async () => {
    await runtime.sweep();
  });

  it('runs the script with sh -c /twerk/entrypoint and answers TWERK_OUTPUT as the result', async () => {
    const outcome = await runtime.run(containerTask({ run: 'echo -n "hello from $(cat /etc/hostname | wc -c) chars" > $TWERK_OUTPUT' }));
    expect(outcome).toMatchObject({ status: 'completed', result: expect.stringMatching(/^hello from \d+ chars$/) });
    expect(await leftovers()).toEqual({ containers: 0, volumes: 0 });
  }, 60_000);

  it('gives the task its env, files in /twerk/workdir, and a workdir when asked', async () => {
    const outcome = await runtime.run(
      containerTask({
        env: { GREETING: 'hi there', QUOTED: `it's "quoted"` },
        files: { 'data/in.txt': 'from a file', 'script.sh': 'echo script ran' },
        run: 'printf "%s|%s|%s|%s|%s" "$GREETING" "$QUOTED" "$(cat data/in.txt)" "$(sh script.sh)" "$PWD" > $TORK_OUTPUT',
      }),
    );
    expect(outcome).toEqual({ status: 'completed', exitCode: 0, result: `hi there|it's "quoted"|from a file|script ran|/twerk/workdir` });
    const elsewhere = await runtime.run(containerTask({ workdir: '/tmp/place', run: 'mkdir -p /tmp/place; echo -n $PWD > $TWERK_OUTPUT' }));
    expect(elsewhere).toMatchObject({ status: 'completed', result: '/tmp/place' });
  }, 60_000);

  it('runs cmd and entrypoint as given, without a script', async () => {
    expect(await runtime.run(containerTask({ cmd: ['sh', '-c', 'echo -n via cmd > /twerk/output'] }))).toMatchObject({ status: 'completed', result: 'via cmd' });
    expect(await runtime.run(containerTask({ entrypoint: ['bash', '-c'], run: 'echo -n "bash $BASH_VERSION" > $TWERK_OUTPUT' }))).toMatchObject({ status: 'completed', result: expect.stringMatching(/^bash 5\./) });
  }, 60_000);

  it('streams stdout and stderr apart and in order while the container runs', async () => {
    const logs = collect();
    const outcome = await runtime.run(containerTask({ run: 'for i in $(seq 1 200); do echo "out $i"; echo "err $i" >&2; done' }), logs.hooks);
    expect(outcome.status).toBe('completed');
    expect(logs.text('stdout')).toBe(Array.from({ length: 200 }, (_, i) => `out ${i + 1}\n`).join(''));
    expect(logs.text('stderr')).toBe(Array.from({ length: 200 }, (_, i) => `err ${i + 1}\n`).join(''));
  }, 60_000);

  it('fails with the exit code and the last lines of output, keeping what the task wrote', async () => {
    const outcome = await runtime.run(containerTask({ run: 'echo partial > $TWERK_OUTPUT; for i in $(seq 1 15); do echo "line $i"; done; exit 3' }));
    expect(outcome).toMatchObject({ status: 'failed', exitCode: 3, result: 'partial\n' });
    if (outcome.status !== 'failed') return;
    expect(outcome.error).toMatch(/^exit code 3: line 6\n/);
    expect(outcome.error).toMatch(/line 15$/);
    expect(await leftovers()).toEqual({ containers: 0, volumes: 0 });
  }, 60_000);

  it('copies output and progress out through the API when the volume is not readable in place (a remote engine)', async () => {
    const remote = new ContainerRuntime({ docker, owner, progressPollMs: 100, readVolumesInPlace: false });
    const seen: number[] = [];
    expect(await remote.run(containerTask({ run: 'echo 50 > $TWERK_PROGRESS; sleep 1; echo -n "über remote" > $TWERK_OUTPUT' }), { onProgress: (percent) => void seen.push(percent) })).toEqual({ status: 'completed', exitCode: 0, result: 'über remote' });
    expect(seen).toContain(50);
    expect(await remote.run(containerTask({ run: 'echo -n kept > $TWERK_OUTPUT; exit 2' }))).toMatchObject({ status: 'failed', exitCode: 2, result: 'kept' });
  }, 60_000);

  it('reports progress from TWERK_PROGRESS', async () => {
    const seen: number[] = [];
    const fast = new ContainerRuntime({ docker, owner, progressPollMs: 100 });
    const outcome = await fast.run(containerTask({ run: 'echo 40 > $TWERK_PROGRESS; sleep 1; echo 100 > $TWERK_PROGRESS' }), { onProgress: (percent) => void seen.push(percent) });
    expect(outcome.status).toBe('completed');
    expect(seen).toEqual(expect.arrayContaining([40, 100]));
  }, 60_000);

  it('enforces the memory limit: a memory hog is killed, and says so', async () => {
    // bash builds a string of 128 MiB in memory under a 32 MiB limit.
    const outcome = await runtime.run(containerTask({ limits: { memory: '32m', cpus: '0.5' }, run: 'bash -c \'x=$(head -c 134217728 /dev/zero | tr "\\0" a); echo ${#x}\'' }));
    expect(outcome).toMatchObject({ status: 'failed' });
    if (outcome.status === 'failed') expect(outcome.error).toMatch(/out of memory \(limit 32m\)|exit code 137/);
    const within = await runtime.run(containerTask({ limits: { memory: '64m', cpus: '0.5' }, run: 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max > $TWERK_OUTPUT; cat /sys/fs/cgroup/memory/memory.limit_in_bytes > $TWERK_OUTPUT 2>/dev/null || true' }));
    expect(within).toMatchObject({ status: 'completed', result: expect.stringContaining(String(64 * 1024 * 1024)) });
  }, 60_000);

  it('shares a volume between pre, main and post, each in its own container, and removes it', async () => {
    const outcome = await runtime.run(
      containerTask({
        mounts: [{ type: 'volume', target: '/data' }],
        pre: [{ name: 'fetch', run: 'echo -n fetched > /data/in; echo -n $(hostname) > /data/pre-host' }],
        run: 'echo -n "$(cat /data/in) and processed" > /data/out; [ "$(hostname)" != "$(cat /data/pre-host)" ] && echo -n "$(cat /data/out)" > $TWERK_OUTPUT',
        post: [{ name: 'check', run: 'test -s /data/out' }],
      }),
    );
    expect(outcome).toEqual({ status: 'completed', exitCode: 0, result: 'fetched and processed' });
    expect(await leftovers()).toEqual({ containers: 0, volumes: 0 });
    const failingPre = await runtime.run(containerTask({ pre: [{ name: 'download', run: 'echo nope >&2; exit 4' }], run: 'echo never' }));
    expect(failingPre).toMatchObject({ status: 'failed', exitCode: 4, error: 'pre task download failed: exit code 4: nope' });
  }, 90_000);

  it('mounts a tmpfs', async () => {
    const outcome = await runtime.run(containerTask({ mounts: [{ type: 'tmpfs', target: '/scratch', opts: { size: '8m' } }], run: "grep ' /scratch ' /proc/mounts | cut -d' ' -f3 > $TWERK_OUTPUT" }));
    expect(outcome).toMatchObject({ status: 'completed', result: 'tmpfs\n' });
  }, 60_000);

  describe('bind mounts', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'twerk-bind-'));
      writeFileSync(join(dir, 'host.txt'), 'from the host');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('are refused unless the worker allows them', async () => {
      const outcome = await runtime.run(containerTask({ mounts: [{ type: 'bind', source: dir, target: '/host' }], run: 'cat /host/host.txt' }));
      expect(outcome).toEqual({ status: 'failed', exitCode: null, error: 'mounts[0]: bind mounts are not allowed on this worker (mounts.bind.allowed)' });
      const narrow = new ContainerRuntime({ docker, owner, mounts: { allowBind: true, bindSources: ['/srv/allowed'] } });
      expect(await narrow.run(containerTask({ mounts: [{ type: 'bind', source: dir, target: '/host' }], run: 'true' }))).toMatchObject({ status: 'failed', error: expect.stringContaining('is not under a path this worker allows') });
    }, 60_000);

    it('work when allowed, both ways', async () => {
      const allowing = new ContainerRuntime({ docker, owner, mounts: { allowBind: true, bindSources: [dir] } });
      const outcome = await allowing.run(containerTask({ mounts: [{ type: 'bind', source: dir, target: '/host' }], run: 'cat /host/host.txt > $TWERK_OUTPUT; echo -n back > /host/back.txt' }));
      expect(outcome).toMatchObject({ status: 'completed', result: 'from the host' });
      expect(readFileSync(join(dir, 'back.txt'), 'utf8')).toBe('back');
    }, 60_000);
  });

  it('joins the task to its networks', async () => {
    const name = `twerk-test-net-${process.pid}`;
    await docker.createNetwork({ Name: name, IPAM: { Config: [{ Subnet: '10.89.77.0/24' }] } });
    try {
      const outcome = await runtime.run(containerTask({ name: 'Net Task!', networks: [name], run: "ip -4 addr | grep -o '10\\.89\\.77\\.[0-9]*' | head -n 1 | tr -d '\\n' > $TWERK_OUTPUT" }));
      expect(outcome).toMatchObject({ status: 'completed', result: expect.stringMatching(/^10\.89\.77\.\d+$/) });
    } finally {
      await docker.getNetwork(name).remove().catch(() => {});
    }
  }, 60_000);

  it('runs containers unprivileged unless the worker is configured privileged', async () => {
    const mountTmpfs = 'mkdir -p /m && mount -t tmpfs none /m && echo -n mounted > $TWERK_OUTPUT';
    expect(await runtime.run(containerTask({ run: mountTmpfs }))).toMatchObject({ status: 'failed' });
    const privileged = new ContainerRuntime({ docker, owner, privileged: true });
    expect(await privileged.run(containerTask({ run: mountTmpfs }))).toMatchObject({ status: 'completed', result: 'mounted' });
  }, 60_000);

  it('stops the container on timeout and leaves nothing behind', async () => {
    const started = Date.now();
    const outcome = await runtime.run(containerTask({ timeoutMs: 1_500, run: 'echo started; sleep 60' }));
    expect(outcome).toEqual({ status: 'timed_out', error: 'task timed out after 1500ms' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await leftovers()).toEqual({ containers: 0, volumes: 0 });
  }, 60_000);

  it('stops the container on cancel and leaves nothing behind', async () => {
    const controller = new AbortController();
    const logs = collect();
    const running = runtime.run(containerTask({ run: 'echo started; sleep 60' }), { onLog: (chunk) => (chunk.data.includes('started') ? controller.abort() : undefined) ?? logs.hooks.onLog(chunk) }, controller.signal);
    expect(await running).toEqual({ status: 'cancelled' });
    expect(await leftovers()).toEqual({ containers: 0, volumes: 0 });
  }, 60_000);

  it('reports an image that cannot be pulled clearly', async () => {
    const outcome = await runtime.run(containerTask({ image: 'localhost:1/twerk/missing:1.0', run: 'true' }));
    expect(outcome).toMatchObject({ status: 'failed', exitCode: null, error: expect.stringMatching(/^pulling image localhost:1\/twerk\/missing:1\.0 failed: .+/) });
  }, 60_000);

  it('pulls a missing image once for tasks that ask for it at the same time, and an image present not at all', async () => {
    let pulls = 0;
    const counting = Object.create(docker, { pull: { value: (...args: Parameters<typeof docker.pull>) => ((pulls += 1), docker.pull(...args)) } }) as typeof docker;
    const store = new ImageStore(counting);
    const attempts = await Promise.allSettled([1, 2, 3].map(() => store.ensure('localhost:1/twerk/also-missing:2.0')));
    expect(pulls).toBe(1);
    expect(new Set(attempts.map((attempt) => (attempt.status === 'rejected' ? (attempt.reason as Error).message : 'pulled')))).toEqual(new Set([expect.stringMatching(/^pulling image localhost:1\/twerk\/also-missing:2\.0 failed: /)]));
    await Promise.all([store.ensure('ubuntu:mantic'), store.ensure('ubuntu:mantic')]);
    expect(pulls).toBe(1);
  }, 60_000);

  it('refuses a file that would leave the working directory', async () => {
    expect(await runtime.run(containerTask({ files: { '../escape': 'x' }, run: 'true' }))).toMatchObject({ status: 'failed', error: 'file "../escape" must stay inside the task\'s working directory' });
  }, 60_000);

  it('sweeps what a killed worker left: containers and volumes with its owner label', async () => {
    const orphanOwner = `orphan-${process.pid}`;
    const volume = await docker.createVolume({ Name: `twerk-orphan-${process.pid}`, Labels: { 'io.twerk.owner': orphanOwner } });
    const container = await docker.createContainer({ Image: 'ubuntu:mantic', Cmd: ['sleep', '60'], Labels: { 'io.twerk.owner': orphanOwner } });
    await container.start();
    const restarted = new ContainerRuntime({ docker, owner: orphanOwner });
    expect(await restarted.sweep()).toBe(1);
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getVolume(volume.name).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 60_000);
});

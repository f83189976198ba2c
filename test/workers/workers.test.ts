/**
 * The reference HTTP workers of examples/workers/ against a real `twerk server start standalone`
 * process: seed 004's Python worker as written (it talks to localhost:3000, where a recording proxy in
 * front of the server stands), the bash+curl worker and the Node worker on @twerk/sdk. Tasks reach
 * them through their queues: a worker's labels name the queues it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const root = join(import.meta.dirname, '..', '..');
const workers = join(root, 'examples', 'workers');

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly response: string;
}

/** localhost:3000 for the Python worker, forwarding to the server and remembering every answer. */
async function startRecordingProxy(target: string): Promise<{ exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const url = new URL(target);
  const proxy: Server = createServer((incoming, outgoing) => {
    const upstream = httpRequest({ host: url.hostname, port: url.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        exchanges.push({ method: incoming.method ?? '', path: incoming.url ?? '', status: answer.statusCode ?? 0, response: body.toString('utf8') });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers).end(body);
      });
    });
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => proxy.once('error', reject).listen(3000, 'localhost', resolve));
  return { exchanges, close: () => new Promise<void>((resolve) => proxy.close(() => resolve())) };
}

function startWorker(command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let server: ServerProcess;
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:1', TWERK_DATASTORE_TYPE: 'inmemory' });
}, 90_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await server?.stop();
});

async function api(method: string, path: string): Promise<any> {
  return (await fetch(`${server.base}${path}`, { method })).json();
}

async function submit(yaml: string): Promise<string> {
  const response = await fetch(`${server.base}/jobs`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: yaml });
  return ((await response.json()) as { id: string }).id;
}

async function finished(id: string, timeoutMs: number): Promise<any> {
  return until('the job to end', async () => {
    const job = await api('GET', `/jobs/${id}`);
    return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.state) ? job : undefined;
  }, timeoutMs);
}

describe("seed 004's Python worker, unchanged", () => {
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  beforeAll(async () => {
    proxy = await startRecordingProxy(server.base);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('claims, logs and completes the tasks routed to its label, results passing from one to the next', async () => {
    const worker = startWorker('python3', [join(workers, 'python_worker.py')]);
    children.push(worker);
    const id = await submit(`name: for python
output: "{{ tasks.second }}"
tasks:
  - name: first
    queue: python
    var: first
    run: 'echo "::set-output version=2.0"; echo -n "from python" > $TWERK_OUTPUT'
  - name: second
    queue: python
    var: second
    env: { PREV: "{{ tasks.first }}" }
    run: 'echo -n "$PREV, twice" > $TWERK_OUTPUT'
`);
    const job = await finished(id, 60_000);
    expect(job).toMatchObject({ state: 'COMPLETED', result: 'from python, twice' });
    const first = job.execution.find((task: { name: string }) => task.name === 'first');
    expect(first.nodeId).toMatch(/^py-/);
    const logs = await api('GET', `/tasks/${first.id}/log`);
    expect(logs.items.map((part: { contents: string }) => part.contents).join('')).toContain('::set-output version=2.0');
    expect(((await api('GET', '/api/workers')) as { worker_id: string; labels: string[] }[]).find((entry) => entry.worker_id === first.nodeId)?.labels).toEqual(['python']);
    worker.kill('SIGKILL');
  }, 90_000);

  it('loses its lease while stopped: the task runs again on another worker, and the late completion is refused', async () => {
    const sleeper = startWorker('python3', [join(workers, 'python_worker.py')]);
    children.push(sleeper);
    const id = await submit(`name: lease lost
output: "{{ tasks.v }}"
tasks:
  - { name: slow, queue: python, var: v, run: 'sleep 2; echo -n "$TWERK_TASK_ID" > $TWERK_OUTPUT' }
`);
    // The worker claimed the task: stop it before its first heartbeat (due 10 s after the claim).
    const claimed = await until('the claim', () => proxy.exchanges.find((exchange) => exchange.path === '/api/jobs/claim' && exchange.response.includes(id)), 30_000);
    sleeper.kill('SIGSTOP');
    const lease = (JSON.parse(claimed.response) as { lease: { lease_id: string; ttl_secs: number } }).lease;
    expect(lease.ttl_secs).toBe(60);
    const rescuer = startWorker('python3', [join(workers, 'python_worker.py')]);
    children.push(rescuer);
    const job = await finished(id, 100_000);
    expect(job.state).toBe('COMPLETED');
    const attempts = job.execution.map((task: { attempt?: number; state: string; error?: string; id: string }) => ({ state: task.state, error: task.error, id: task.id }));
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ state: 'FAILED', error: expect.stringContaining('stopped renewing its lease') });
    expect(attempts[1]!.state).toBe('COMPLETED');
    expect(job.result).toBe(attempts[1]!.id); // the second attempt's result
    sleeper.kill('SIGCONT');
    const late = await until('the late completion', () => proxy.exchanges.find((exchange) => exchange.path === `/api/jobs/${lease.lease_id}/complete`), 30_000);
    expect(late.status).toBe(409);
    expect((await api('GET', `/jobs/${id}`)).result).toBe(attempts[1]!.id);
    sleeper.kill('SIGKILL');
    rescuer.kill('SIGKILL');
  }, 150_000);
});

describe('the bash+curl and Node reference workers', () => {
  it('each runs the tasks of its queue, failures included', async () => {
    children.push(startWorker('bash', [join(workers, 'curl-worker.sh')], { SERVER_URL: server.base, WORKER_LABELS: 'shell' }));
    children.push(startWorker(process.execPath, [join(workers, 'node-worker.ts')], { SERVER_URL: server.base, WORKER_LABELS: 'node' }));
    const id = await submit(`name: two workers
output: "{{ tasks.a }} {{ tasks.b }}"
tasks:
  - { name: on shell, queue: shell, var: a, run: 'echo -n "curl worker" > $TWERK_OUTPUT' }
  - { name: on node, queue: node, var: b, env: { PREV: "{{ tasks.a }}" }, run: 'echo -n "node after $PREV" > $TWERK_OUTPUT' }
`);
    expect(await finished(id, 60_000)).toMatchObject({ state: 'COMPLETED', result: 'curl worker node after curl worker' });
    const failing = await submit('name: fails on shell\ntasks:\n  - { name: broken, queue: shell, run: echo nope >&2; exit 3 }\n');
    expect(await finished(failing, 60_000)).toMatchObject({ state: 'FAILED', error: 'exit status 3: nope' });
    const failingNode = await submit('name: fails on node\ntasks:\n  - { name: broken, queue: node, run: echo nope >&2; exit 4 }\n');
    expect(await finished(failingNode, 60_000)).toMatchObject({ state: 'FAILED', error: 'exit status 4: nope' });
  }, 120_000);
});

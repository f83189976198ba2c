/**
 * The client commands as a user runs them: the `twerk` binary as a child process (stdout not a
 * terminal) against a real `twerk server start standalone` process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { table } from './client-commands.ts';
import { startTestServer, type TestServer } from '../../../sdk/src/client/testing.ts';
import { freePort } from './testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-client-cli-'));
let server: TestServer;
let endpoint: string;


beforeAll(async () => {
  server = await startTestServer();
  endpoint = server.baseUrl;
});

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `twerk …` against the test server (unless `-e` is given); the environment's TWERK_CLIENT_ENDPOINT is not inherited. */
function twerk(args: readonly string[], options: { env?: Record<string, string>; endpoint?: boolean } = {}): Promise<Run> {
  const { TWERK_CLIENT_ENDPOINT: _ignored, ...env } = process.env;
  const withEndpoint = options.endpoint === false || args.includes('-e') ? args : [...args, '-e', endpoint];
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...withEndpoint], { cwd: scratch, env: { ...env, ...options.env }, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const helloYaml = file('hello.yaml', 'name: hello cli\noutput: "{{ tasks.greeting }}"\ntasks:\n  - name: greet\n    var: greeting\n    run: echo working; printf "hello from the cli" > "$TWERK_OUTPUT"\n');
const failingYaml = file('failing.yaml', 'name: failing cli\ntasks:\n  - name: boom\n    run: echo about to fail; exit 3\n');
const sleepyYaml = file('sleepy.yaml', 'name: sleepy cli\ntasks:\n  - name: sleep\n    run: sleep 30\n');
const talkativeYaml = file('talkative.yaml', 'name: talkative cli\ntasks:\n  - name: count\n    run: for i in 1 2 3 4 5; do echo line $i; sleep 0.3; done\n');
const invalidYaml = file('invalid.yaml', 'name: invalid cli\ntasks:\n  - name: t\n    run: "true"\n    retry:\n      limit: 50\n    queue: x-mine\n');

async function submitted(path: string): Promise<string> {
  const run = await twerk(['job', 'submit', path, '--json']);
  expect(run.status).toBe(0);
  return (JSON.parse(run.stdout) as { id: string }).id;
}

async function stateOf(id: string): Promise<string> {
  return ((await (await fetch(`${endpoint}/jobs/${id}`)).json()) as { state: string }).state;
}

describe('twerk job submit', { timeout: 120_000 }, () => {
  it('--wait prints each change of the job and a final line with the result, and exits 0', async () => {
    const run = await twerk(['job', 'submit', helloYaml, '--wait']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^job [0-9a-f]{32} COMPLETED in \S+, result: hello from the cli$/);
    expect(lines.slice(0, -1).every((line) => /^job [0-9a-f]{32} [A-Z]+ \(tasks: .+\)$/.test(line))).toBe(true);
    expect(run.stdout).not.toContain('working');
  });

  it('--follow also prints the log as it arrives, all of it before the final line', async () => {
    const run = await twerk(['job', 'submit', talkativeYaml, '--follow']);
    expect(run.status).toBe(0);
    const logLines = run.stdout.split('\n').filter((line) => line.startsWith('line '));
    expect(logLines).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/COMPLETED in/);
  });

  it('--wait exits 1 when the job fails, saying why', async () => {
    const run = await twerk(['job', 'submit', failingYaml, '--wait']);
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^job [0-9a-f]{32} FAILED in \S+: exit status 3$/);
    expect(run.stderr).toMatch(/^twerk: job [0-9a-f]{32} FAILED: exit status 3\n$/);
  });

  it('--json --wait prints the finished job, or an error with the job when it fails; stderr stays empty', async () => {
    const ok = await twerk(['job', 'submit', helloYaml, '--wait', '--json']);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toBe('');
    expect(JSON.parse(ok.stdout)).toMatchObject({ name: 'hello cli', state: 'COMPLETED', result: 'hello from the cli' });
    const failed = await twerk(['job', 'submit', failingYaml, '--wait', '--json']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toBe('');
    expect(JSON.parse(failed.stdout)).toMatchObject({ error: { message: expect.stringContaining('FAILED: exit status 3'), state: 'FAILED' }, job: { state: 'FAILED' } });
  });

  it('prints the new job without waiting', async () => {
    const run = await twerk(['job', 'submit', helloYaml]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^submitted job [0-9a-f]{32} \(hello cli, PENDING\)\n$/);
  });

  it("reports the server's field errors with their paths and exits 1", async () => {
    const run = await twerk(['job', 'submit', invalidYaml]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^twerk: tasks\[0\]\.(retry\.limit|queue): .+ \(and 1 more\)\n/);
    expect(run.stderr).toContain('\n  tasks[0].retry.limit: must be at most 10\n');
    expect(run.stderr).toContain('\n  tasks[0].queue: ');
    const json = await twerk(['job', 'submit', invalidYaml, '--json']);
    expect(json.status).toBe(1);
    expect(json.stderr).toBe('');
    const body = JSON.parse(json.stdout) as { error: { status: number; errors: { path: string }[] } };
    expect(body.error.status).toBe(400);
    expect(body.error.errors.map((error) => error.path).sort()).toEqual(['tasks[0].queue', 'tasks[0].retry.limit']);
  });

  it('reads the document from stdin with -', async () => {
    const run = await new Promise<Run>((resolve) => {
      const child = execFile(process.execPath, [cli, 'job', 'submit', '-', '--json', '-e', endpoint], { cwd: scratch, encoding: 'utf8' }, (error, stdout, stderr) => resolve({ status: error === null ? 0 : Number(error.code), stdout, stderr }));
      child.stdin!.end('{"name": "from stdin", "tasks": [{"name": "t", "run": "true"}]}');
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'from stdin', state: 'PENDING' });
  });

  it('says which file it cannot read', async () => {
    const run = await twerk(['job', 'submit', join(scratch, 'missing.yaml')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^twerk: cannot read .*missing\.yaml: ENOENT/);
  });
});

describe('twerk job list, get, log, cancel, restart, delete', { timeout: 120_000 }, () => {
  it('list prints a table of jobs and pages through them; --json prints the server page', async () => {
    const tag = `cli-${Date.now()}`;
    const tagged = file('tagged.yaml', `name: tagged cli\ntags: [${tag}]\ntasks:\n  - name: t\n    run: "true"\n`);
    const ids = [await submitted(tagged), await submitted(tagged), await submitted(tagged)];
    const run = await twerk(['job', 'list', '-q', `tag:${tag}`, '--size', '2']);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATE\s+CREATED\s+TASKS$/);
    expect(lines.slice(1, -1)).toHaveLength(2);
    expect(lines.at(-1)).toBe('page 1 of 2, 3 jobs');
    const second = await twerk(['job', 'list', '-q', `tag:${tag}`, '--size', '2', '--page', '2', '--json']);
    expect(second.stderr).toBe('');
    const page = JSON.parse(second.stdout) as { items: { id: string }[]; number: number; totalItems: number };
    expect(page).toMatchObject({ number: 2, totalItems: 3 });
    expect(page.items.map((item) => item.id)).toEqual([ids[0]]);
  });

  it('get shows the job and its tasks; --json prints what the server answers', async () => {
    const waited = JSON.parse((await twerk(['job', 'submit', helloYaml, '--wait', '--json'])).stdout) as { id: string };
    const run = await twerk(['job', 'get', waited.id]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^id: +${waited.id}$`, 'm'));
    expect(run.stdout).toMatch(/^state: +COMPLETED$/m);
    expect(run.stdout).toMatch(/^result: +hello from the cli$/m);
    expect(run.stdout).toMatch(/^1\s+greet\s+COMPLETED\s+[0-9a-f]{32}\s+hello from the cli$/m);
    const json = await twerk(['job', 'get', waited.id, '--json']);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual(await (await fetch(`${endpoint}/jobs/${waited.id}`)).json());
  });

  it('get of a job that does not exist exits 1 with the server message', async () => {
    const run = await twerk(['job', 'get', 'no-such-job']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('twerk: job not found\n');
    const json = await twerk(['job', 'get', 'no-such-job', '--json']);
    expect(json.status).toBe(1);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: 'job not found', status: 404 } });
  });

  it('log --follow prints every line of a running job once, in order, and ends with it', async () => {
    const id = await submitted(talkativeYaml);
    const run = await twerk(['job', 'log', id, '--follow']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    expect(await stateOf(id)).toBe('COMPLETED');
    const json = await twerk(['job', 'log', id, '--json']);
    const parts = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { contents: string });
    expect(parts.map((part) => part.contents).join('')).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
  });

  it('cancel stops a running job, restart resumes it, delete removes it once finished', async () => {
    const id = await submitted(sleepyYaml);
    await expect.poll(() => stateOf(id), { timeout: 10_000 }).toBe('RUNNING');
    const early = await twerk(['job', 'delete', id]);
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/^twerk: job is RUNNING: cancel it before deleting it\n$/);

    expect(await twerk(['job', 'cancel', id])).toEqual({ status: 0, stdout: `cancelled job ${id}\n`, stderr: '' });
    await expect.poll(() => stateOf(id), { timeout: 10_000 }).toBe('CANCELLED');
    const again = await twerk(['job', 'cancel', id, '--json']);
    expect(again.status).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({ error: { message: 'job is not running', status: 400 } });

    expect(await twerk(['job', 'restart', id, '--json'])).toEqual({ status: 0, stdout: '{"status":"OK"}\n', stderr: '' });
    await expect.poll(() => stateOf(id), { timeout: 10_000 }).toBe('RUNNING');
    await twerk(['job', 'cancel', id]);
    await expect.poll(() => stateOf(id), { timeout: 10_000 }).toBe('CANCELLED');

    expect(await twerk(['job', 'delete', id])).toEqual({ status: 0, stdout: `deleted job ${id}\n`, stderr: '' });
    expect((await fetch(`${endpoint}/jobs/${id}`)).status).toBe(404);
  });
});

describe('twerk scheduled-job', { timeout: 120_000 }, () => {
  const nightlyYaml = file('nightly.yaml', 'name: nightly cli\nschedule:\n  cron: "0 2 * * *"\n  timezone: Europe/Paris\nsecrets:\n  key: cli-scheduled-secret\ntasks:\n  - name: report\n    run: echo report\n');

  it('creates, lists, shows, pauses, resumes and deletes a scheduled job', async () => {
    const created = await twerk(['scheduled-job', 'create', nightlyYaml]);
    expect(created.status).toBe(0);
    const id = /^scheduled job (\S+) \(nightly cli, 0 2 \* \* \*, ACTIVE\)\n$/.exec(created.stdout)?.[1];
    expect(id, created.stdout + created.stderr).toBeDefined();

    const listed = await twerk(['scheduled-job', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^ID\\s+NAME\\s+STATE\\s+CRON\\s+NEXT RUN\\n${id}\\s+nightly cli\\s+ACTIVE\\s+0 2 \\* \\* \\*\\s+\\S+`));
    const shown = await twerk(['scheduled-job', 'get', id!]);
    expect(shown.stdout).toContain('timezone: Europe/Paris\nnext run: ');
    const json = JSON.parse((await twerk(['scheduled-job', 'get', id!, '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ id, state: 'ACTIVE', secrets: { key: '[REDACTED]' } });

    expect(await twerk(['scheduled-job', 'pause', id!])).toEqual({ status: 0, stdout: `paused scheduled job ${id}\n`, stderr: '' });
    expect((await twerk(['scheduled-job', 'get', id!, '--json'])).stdout).toContain('"state":"PAUSED"');
    const twice = await twerk(['scheduled-job', 'pause', id!]);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('scheduled job is not active');
    expect(await twerk(['scheduled-job', 'resume', id!])).toEqual({ status: 0, stdout: `resumed scheduled job ${id}\n`, stderr: '' });
    expect(await twerk(['scheduled-job', 'delete', id!])).toEqual({ status: 0, stdout: `deleted scheduled job ${id}\n`, stderr: '' });
    expect((await twerk(['scheduled-job', 'get', id!])).status).toBe(1);
  });

  it('says plainly when the server does not serve a route, and exits 1', async () => {
    const { createServer } = await import('node:http');
    // An older server: fastify's answer for a path it has no route for.
    const bare = createServer((_request, response) => response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}'));
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const other = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
    try {
      const run = await twerk(['scheduled-job', 'list', '-e', other]);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`twerk: the server at ${other} does not serve this request (404 Not Found)\n`);
    } finally {
      bare.close();
    }
  });
});

describe('twerk trigger and twerk event', { timeout: 180_000 }, () => {
  const deployYaml = file(
    'deploy-trigger.yaml',
    `id: cli-deploy
name: deploy cli
enabled: true
event: cli-deploy
condition: "payload.env == 'prod'"
inputs:
  version: "v{{ payload.version }}"
job:
  name: deploy from cli
  output: "{{ tasks.said }}"
  tasks:
    - name: say
      var: said
      run: printf "deploying $V" > "$TWERK_OUTPUT"
      env:
        V: "{{ inputs.version }}"
`,
  );

  async function resultOf(id: string): Promise<unknown> {
    await expect.poll(() => stateOf(id), { timeout: 20_000 }).toBe('COMPLETED');
    return ((await (await fetch(`${endpoint}/jobs/${id}`)).json()) as { result?: string }).result;
  }

  const startedJob = (stdout: string): string => /^trigger cli-deploy started job (\S+)\n$/.exec(stdout)?.[1] ?? `none in ${JSON.stringify(stdout)}`;

  it('creates, lists, shows, fires, publishes to, lists the firings of, replaces and deletes a trigger', async () => {
    expect(await twerk(['trigger', 'create', deployYaml])).toEqual({ status: 0, stdout: 'created trigger cli-deploy (deploy cli, event cli-deploy)\n', stderr: '' });

    const listed = await twerk(['trigger', 'list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+ENABLED\s+FIRES ON\s+STARTS\s+LAST FIRED\n/);
    expect(listed.stdout).toMatch(/^cli-deploy\s+deploy cli\s+yes\s+event cli-deploy\s+job "deploy from cli"\s+-$/m);
    expect(listed.stdout).toMatch(/\n\d+ triggers?\n$/);
    expect(JSON.parse((await twerk(['trigger', 'list', '--json'])).stdout)).toEqual(await (await fetch(`${endpoint}/triggers`)).json());

    const shown = await twerk(['trigger', 'get', 'cli-deploy']);
    expect(shown.stdout).toMatch(/^fires on: +event cli-deploy$/m);
    expect(shown.stdout).toMatch(/^condition: +payload\.env == 'prod'$/m);
    expect(shown.stdout).toMatch(/^starts: +job "deploy from cli"$/m);
    expect(shown.stdout).toMatch(/^inputs: +version=v\{\{ payload\.version \}\}$/m);
    expect(shown.stdout).toMatch(/^version: +1$/m);
    expect(JSON.parse((await twerk(['trigger', 'get', 'cli-deploy', '--json'])).stdout)).toEqual(await (await fetch(`${endpoint}/triggers/cli-deploy`)).json());

    // An event whose payload meets the condition starts the job; the same idempotency key again starts nothing new.
    const prod = ['--payload', '{"env": "prod", "version": "1.2"}', '--idempotency-key', 'release-1.2'];
    const published = await twerk(['event', 'publish', 'cli-deploy', ...prod]);
    expect(published.status, published.stderr).toBe(0);
    const jobId = startedJob(published.stdout);
    expect(await twerk(['event', 'publish', 'cli-deploy', ...prod])).toEqual({ status: 0, stdout: `trigger cli-deploy already started job ${jobId} with this idempotency key\n`, stderr: '' });
    expect(JSON.parse((await twerk(['event', 'publish', 'cli-deploy', ...prod, '--json'])).stdout)).toEqual({ jobs: [{ triggerId: 'cli-deploy', jobId, duplicate: true }] });
    expect(await resultOf(jobId)).toBe('deploying v1.2');
    expect(await twerk(['event', 'publish', 'cli-deploy', '--payload', '{"env": "dev"}'])).toEqual({ status: 0, stdout: 'trigger cli-deploy started nothing: the condition is false\n', stderr: '' });
    expect(await twerk(['event', 'publish', 'nobody-listens'])).toEqual({ status: 0, stdout: 'no enabled trigger listens for event nobody-listens\n', stderr: '' });

    // Firing by hand does not consult the condition.
    const fired = await twerk(['trigger', 'fire', 'cli-deploy', '--payload={"version": "2.0"}']);
    expect(fired.status, fired.stderr).toBe(0);
    const firedJob = startedJob(fired.stdout);
    expect(await resultOf(firedJob)).toBe('deploying v2.0');
    const keyed = JSON.parse((await twerk(['trigger', 'fire', 'cli-deploy', '--idempotency-key', 'by-hand', '--json'])).stdout) as { jobs: { jobId: string }[] };
    expect(JSON.parse((await twerk(['trigger', 'fire', 'cli-deploy', '--idempotency-key', 'by-hand', '--json'])).stdout)).toEqual({ jobs: [{ triggerId: 'cli-deploy', jobId: keyed.jobs[0]!.jobId, duplicate: true }] });

    const firings = await twerk(['trigger', 'firings', 'cli-deploy']);
    expect(firings.status).toBe(0);
    const lines = firings.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^FIRED\s+SOURCE\s+STARTED\s+IDEMPOTENCY KEY$/);
    expect(lines.slice(1, -1).map((line) => line.replace(/^\S+ \S+\s+/, '').replace(/\s+/g, ' '))).toEqual([
      `manual job ${keyed.jobs[0]!.jobId} by-hand`,
      `manual job ${firedJob}`,
      'event the condition is false',
      `event job ${jobId} release-1.2`,
    ]);
    expect(lines.at(-1)).toBe('page 1 of 1, 4 firings');
    const paged = JSON.parse((await twerk(['trigger', 'firings', 'cli-deploy', '--size', '1', '--page', '4', '--json'])).stdout) as { items: { jobId: string; source: string }[]; totalItems: number };
    expect(paged).toMatchObject({ totalItems: 4, items: [{ source: 'event', jobId }] });

    // Replaced from JSON, with the version it was read at; a stale version is refused.
    const disabled = file('deploy-disabled.json', JSON.stringify({ name: 'deploy cli', enabled: false, event: 'cli-deploy', version: 1, job: { name: 'deploy from cli', tasks: [{ name: 'say', run: 'true' }] } }));
    expect(await twerk(['trigger', 'update', 'cli-deploy', disabled])).toEqual({ status: 0, stdout: 'updated trigger cli-deploy (deploy cli, version 2)\n', stderr: '' });
    expect(await twerk(['trigger', 'update', 'cli-deploy', disabled])).toEqual({ status: 1, stdout: '', stderr: 'twerk: stale version supplied\n' });
    expect(await twerk(['trigger', 'fire', 'cli-deploy'])).toEqual({ status: 1, stdout: '', stderr: 'twerk: the trigger is disabled\n' });
    expect(JSON.parse((await twerk(['trigger', 'fire', 'cli-deploy', '--json'])).stdout)).toEqual({ error: { message: 'the trigger is disabled', status: 409 } });

    expect(await twerk(['trigger', 'delete', 'cli-deploy'])).toEqual({ status: 0, stdout: 'deleted trigger cli-deploy\n', stderr: '' });
    expect(await twerk(['trigger', 'get', 'cli-deploy'])).toEqual({ status: 1, stdout: '', stderr: 'twerk: trigger cli-deploy not found\n' });
  });

  it('shows a webhook trigger without its secret, and a cron trigger with its next run', async () => {
    const hook = file('hook-trigger.yaml', 'id: cli-hook\nname: hook cli\nenabled: true\nhookPath: cli-hook\nsecret: a-long-shared-secret-for-the-cli\njob:\n  startAt: Done\n  states:\n    Done:\n      type: succeed\n');
    expect(await twerk(['trigger', 'create', hook])).toEqual({ status: 0, stdout: 'created trigger cli-hook (hook cli, POST /hooks/cli-hook)\n', stderr: '' });
    const shown = await twerk(['trigger', 'get', 'cli-hook']);
    expect(shown.stdout).toMatch(/^starts: +a state machine$/m);
    expect(shown.stdout + (await twerk(['trigger', 'get', 'cli-hook', '--json'])).stdout).not.toContain('a-long-shared-secret-for-the-cli');
    const nightly = file('cron-trigger.json', JSON.stringify({ id: 'cli-cron', name: 'cron cli', enabled: true, cron: '0 2 * * *', timezone: 'Europe/Paris', job: { name: 'nightly', tasks: [{ name: 't', run: 'true' }] } }));
    expect((await twerk(['trigger', 'create', nightly])).stdout).toBe('created trigger cli-cron (cron cli, cron 0 2 * * * (Europe/Paris))\n');
    expect((await twerk(['trigger', 'get', 'cli-cron'])).stdout).toMatch(/^next run: +\d{4}-\d\d-\d\d 0[01]:00:00$/m);
    for (const id of ['cli-hook', 'cli-cron']) expect((await twerk(['trigger', 'delete', id])).status).toBe(0);
  });

  it("reports the server's field errors, and files it cannot read as a trigger, with exit 1", async () => {
    const unsigned = file('unsigned-trigger.yaml', 'name: unsigned\nenabled: true\nhookPath: unsigned\njob:\n  name: j\n  tasks:\n    - name: t\n      run: "true"\n');
    const run = await twerk(['trigger', 'create', unsigned]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('\n  secret: is required with hookPath: an inbound webhook must be signed or carry a token\n');
    const json = JSON.parse((await twerk(['trigger', 'create', unsigned, '--json'])).stdout) as { error: { status: number; errors: { path: string }[] } };
    expect(json.error).toMatchObject({ status: 400, errors: [{ path: 'secret' }] });

    const list = file('list-trigger.yaml', '- name: not a mapping\n');
    expect(await twerk(['trigger', 'create', list])).toEqual({ status: 1, stdout: '', stderr: `twerk: ${list}: a trigger is a mapping (name, enabled, what fires it, job)\n` });
    const broken = file('broken-trigger.yaml', 'name: [unclosed\n');
    const unreadable = await twerk(['trigger', 'update', 'x', broken]);
    expect(unreadable.status).toBe(1);
    expect(unreadable.stderr).toMatch(new RegExp(`^twerk: ${broken.replaceAll('.', '\\.')}: .+`));
    expect((await twerk(['trigger', 'firings', 'no-such-trigger'])).stderr).toBe('twerk: trigger no-such-trigger not found\n');
  });
});

describe('twerk queue list and node list', { timeout: 120_000 }, () => {
  it('print tables of queues and nodes, or the server answers with --json', async () => {
    const queues = await twerk(['queue', 'list']);
    expect(queues.status).toBe(0);
    expect(queues.stdout).toMatch(/^NAME\s+SIZE\s+SUBSCRIBERS\s+UNACKED\ndefault\s+\d+\s+1\s+\d+\n/);
    expect(JSON.parse((await twerk(['queue', 'list', '--json'])).stdout)).toEqual(await (await fetch(`${endpoint}/queues`)).json());
    const nodes = await twerk(['node', 'list']);
    expect(nodes.status).toBe(0);
    expect(nodes.stdout).toMatch(/^ID\s+NAME\s+KIND\s+STATUS\s+QUEUES\s+TASKS\s+CPU\s+LAST HEARTBEAT\n\S+\s+\S+\s+standalone\s+UP\s+default\s/);
    const json = JSON.parse((await twerk(['node', 'list', '--json'])).stdout) as { status: string }[];
    expect(json.map((node) => node.status)).toContain('UP');
  });
});

describe('the command line itself', { timeout: 180_000 }, () => {
  it('exits 2 for usage errors, with the usage on stderr, or as JSON on stdout with --json', async () => {
    const cases = [['job'], ['job', 'frob'], ['job', 'get'], ['job', 'get', 'a', 'b'], ['job', 'list', '--page', 'x'], ['job', 'list', '--nope'], ['job', 'list', '--size'], ['queue', 'purge'], ['scheduled-job', 'create'], ['trigger', 'update', 'x'], ['event', 'publish'], ['event', 'publish', 'e', '--payload', '{'], ['trigger', 'fire', 'x', '--payload', '[1]'], ['trigger', 'fire']];
    // A few processes at a time: one after another, 28 starts of the CLI outlast the timeout on a loaded machine.
    for (let start = 0; start < cases.length; start += 4) {
      await Promise.all(
        cases.slice(start, start + 4).map(async (args) => {
          const [run, json] = await Promise.all([twerk(args), twerk([...args, '--json'])]);
          expect(run.status, args.join(' ')).toBe(2);
          expect(run.stdout, args.join(' ')).toBe('');
          expect(run.stderr, args.join(' ')).toMatch(/^twerk: .+\nusage:\n/);
          expect(json.status, args.join(' ')).toBe(2);
          expect(json.stderr, args.join(' ')).toBe('');
          expect(JSON.parse(json.stdout), args.join(' ')).toMatchObject({ error: { message: expect.any(String), usage: expect.stringContaining('usage:') } });
        }),
      );
    }
    expect((await twerk(['job', 'get'])).stderr).toMatch(/^twerk: missing ID\n/);
    expect((await twerk(['job', 'list', '--page', '0'])).stderr).toMatch(/^twerk: --page takes a positive whole number, not "0"\n/);
    expect((await twerk(['trigger', 'fire', 'x', '--payload', '[1]'])).stderr).toMatch(/^twerk: --payload takes a JSON object, not \[1\]\n/);
  });

  it('explains a group when asked, and exits 0', async () => {
    const run = await twerk(['job', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('twerk job submit FILE [--wait] [--follow]');
    expect(JSON.parse((await twerk(['job', 'help', '--json'])).stdout)).toMatchObject({ content: expect.stringContaining('twerk job log ID [--follow]') });
    expect((await twerk(['--help'], { endpoint: false })).stderr).toContain('twerk job submit <file> [--wait] [--follow]');
    expect((await twerk(['trigger', '--help'])).stdout).toContain('twerk trigger fire ID [--payload JSON] [--idempotency-key K]');
    expect((await twerk(['event', 'help'])).stdout).toContain('twerk event publish NAME [--payload JSON] [--idempotency-key K]');
    expect((await twerk(['--help'], { endpoint: false })).stderr).toContain('twerk event publish <name> [--payload <json>] [--idempotency-key <key>]');
  });

  it('exits 1 with a clear message when the server cannot be reached', async () => {
    const port = await freePort();
    const run = await twerk(['job', 'list', '-e', `http://127.0.0.1:${port}`]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`twerk: cannot reach the server at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    const json = await twerk(['job', 'get', 'x', '--json', '-e', `http://127.0.0.1:${port}`]);
    expect(json.status).toBe(1);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: `cannot reach the server at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}` } });
    const bad = await twerk(['job', 'list', '-e', 'localhost:8000']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('twerk: --endpoint: "localhost:8000" is not an http(s) URL\n');
  });

  it('finds the server through TWERK_CLIENT_ENDPOINT (client.endpoint) when there is no -e', async () => {
    const run = await twerk(['queue', 'list', '--json'], { endpoint: false, env: { TWERK_CLIENT_ENDPOINT: endpoint } });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(await (await fetch(`${endpoint}/queues`)).json());
  });
});

describe('tables', () => {
  it('pad every column but the last to its widest cell', () => {
    expect(table(['ID', 'NAME'], [['a', 'first'], ['bbbb', '']])).toEqual(['ID    NAME', 'a     first', 'bbbb']);
  });
});

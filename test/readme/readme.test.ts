/**
 * The README's examples are real: every YAML block in it is a valid job or state machine, and the SDK
 * program runs as written against a real server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvironment, evaluateTemplate, parseDocument } from '@twerk/contract';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/server-process.ts';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe('README examples', () => {
  it('has YAML examples', () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(yamlBlocks.map((block, index) => [index, block]))('YAML block %i is a valid document', (_index, block) => {
    const result = parseDocument(block, 'text/yaml');
    expect(result.ok ? [] : result.error.errors).toEqual([]);
  });

  it('evaluates the template shown in the TypeScript example', () => {
    expect(evaluateTemplate('answer: {{ int(inputs.n) + 1 }}', createEnvironment({ inputs: { n: '41' } }))).toEqual({ ok: true, value: 'answer: 42' });
  });
});

describe('the README state machine program', () => {
  const program = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!).find((block) => block.includes('runMachine'));

  it('runs as written and prints what its comment says', async () => {
    const file = join(import.meta.dirname, `readme-asl-${process.pid}.ts`);
    try {
      writeFileSync(file, program!);
      const output = await new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(process.execPath, [file], { timeout: 30_000 }, (error, stdout) => resolve({ code: error ? 1 : 0, stdout })),
      );
      expect(output.code).toBe(0);
      expect(output.stdout).toContain("status: 'SUCCEEDED'");
      expect(output.stdout).toContain("output: { text: 'hello world' }");
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);
});

describe('the README SDK program', () => {
  const program = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!).find((block) => block.includes('submitAndWait'));

  it('is at most a dozen lines', () => {
    expect(program?.trim().split('\n').length).toBeLessThanOrEqual(12);
  });

  it('runs as written and prints what its comment says', async () => {
    const server = await startServerProcess({});
    // Beside this test, so `@twerk/sdk` resolves from the repository's node_modules as it does for a reader.
    const file = join(import.meta.dirname, `readme-sdk-${process.pid}.ts`);
    try {
      writeFileSync(file, program!);
      const output = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [file], { env: { ...process.env, TWERK_ENDPOINT: server.base }, timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
      const promised = /\/\/ (.+)$/m.exec(program!.split('\n').find((line) => line.includes('console.log'))!)![1]!;
      expect(output).toEqual({ code: 0, stdout: `${promised}\n`, stderr: '' });
    } finally {
      rmSync(file, { force: true });
      await server.stop();
    }
  }, 90_000);
});

describe("the README's schedules, triggers and webhooks", () => {
  const section = readme.slice(readme.indexOf('### Schedules, triggers and webhooks'), readme.indexOf('### Mounts in the shell runtime'));
  const scripts = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);

  it('has the scheduled job, the event trigger and the signed webhook', () => {
    expect(scripts).toHaveLength(3);
  });

  it('run as written with bash and curl, and answer what their comments say', async () => {
    const server = await startServerProcess({});
    const scratch = mkdtempSync(join(tmpdir(), 'twerk-readme-sh-'));
    try {
      const outputs: string[] = [];
      for (const script of scripts) {
        const output = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile('bash', ['-euo', 'pipefail', '-c', script.replaceAll('localhost:8000', server.base.replace('http://', ''))], { cwd: scratch, timeout: 60_000 }, (error, stdout, stderr) =>
            resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          ),
        );
        expect(output, output.stderr).toMatchObject({ code: 0 });
        outputs.push(output.stdout);
      }
      const [schedule, trigger, hook] = outputs;
      expect(schedule).toMatch(/"state":"ACTIVE"/);
      expect(schedule).toMatch(/"secrets":\{"token":"\[REDACTED\]"\}/);
      expect(schedule).not.toContain('s3cr3t');
      expect(schedule).toContain('{"status":"OK"}');
      expect(trigger).toMatch(/\{"jobs":\[\{"triggerId":"on-release","jobId":"[^"]+"\}\]\}/);
      expect(trigger).toMatch(/"source":"event"/);
      expect(hook).toMatch(/\{"jobs":\[\{"triggerId":"on-push","jobId":"[^"]+"\}\]\}/);
      const released = JSON.parse(/\{"jobs":\[.*?\]\}/.exec(trigger!)![0]) as { jobs: { jobId: string }[] };
      const job = await until(async () => {
        const answer = (await (await fetch(`${server.base}/jobs/${released.jobs[0]!.jobId}`)).json()) as { state: string; result?: string };
        return answer.state === 'COMPLETED' ? answer : undefined;
      });
      expect(job.result).toBe('v1.4.0');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await server.stop();
    }
  }, 120_000);
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the README's users, API keys and permissions", () => {
  const section = readme.slice(readme.indexOf('### Users, API keys and permissions'), readme.indexOf('### Jobs in TypeScript'));
  const [start, script] = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);

  it('runs as written against a server started as it says', async () => {
    // The server as the first block starts it: its TWERK_ settings, on a free port instead of npm start's.
    const env = Object.fromEntries([...start!.matchAll(/(TWERK_[A-Z_]+)=('([^']*)'|\S+)/g)].map((match) => [match[1]!, match[3] ?? match[2]!]));
    expect(env).toMatchObject({ TWERK_MIDDLEWARE_WEB_BASICAUTH_ENABLED: 'true', TWERK_AUTH_ADMIN_PASSWORD: 'change-me-now' });
    const server = await startServerProcess(env);
    try {
      const output = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile('bash', ['-euo', 'pipefail', '-c', script!.replaceAll('localhost:8000', server.base.replace('http://', ''))], { timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
      expect(output, output.stderr).toMatchObject({ code: 0 });
      expect(output.stdout).toMatch(/"slug":"ops"/);
      expect(output.stdout).toMatch(/"username":"ada"/);
      expect(output.stdout).toMatch(/"createdBy":\{"id":"ada","username":"ada"\}/);
      expect(output.stdout).toContain('{"message":"credentials are required: ');
      expect(output.stdout.trimEnd().endsWith('"code":"unauthorized"}')).toBe(true);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

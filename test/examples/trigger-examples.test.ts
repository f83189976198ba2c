/**
 * The trigger example programs of examples/sdk/triggers, run as programs against a real standalone server
 * (PGlite in memory, shell runtime), as sdk-examples.test.ts runs the others: each creates its trigger, fires it
 * the way its comment says, prints the job it started, and leaves no trigger behind.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type TwerkClient } from '@twerk/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const programsDir = join(import.meta.dirname, '..', '..', 'examples', 'sdk', 'triggers');

let server: ServerProcess;
let client: TwerkClient;

beforeAll(async () => {
  server = await startServerProcess({});
  client = createClient({ baseUrl: server.base });
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

interface Outcome {
  readonly code: number;
  /** The JSON lines it printed. */
  readonly lines: Record<string, unknown>[];
  readonly stderr: string;
}

function runProgram(program: string, endpoint = server.base): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(programsDir, program)], { env: { ...process.env, TWERK_ENDPOINT: endpoint }, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({
        code: error ? Number(error.code ?? 1) : 0,
        lines: stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>),
        stderr,
      }),
    );
  });
}

describe('the trigger example programs', () => {
  it('are the two this suite runs', () => {
    expect(readdirSync(programsDir).sort()).toEqual(['on-event.ts', 'signed-webhook.ts']);
  });

  it('on-event.ts starts one job for a stable release published twice with one key, none for a beta one', async () => {
    const { code, lines, stderr } = await runProgram('on-event.ts');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const [ran, listed] = lines;
    expect(ran).toEqual({ trigger: expect.any(String), job: expect.any(String), state: 'COMPLETED', result: 'released v1.2.3 to stable' });
    const job = await client.jobs.get(String(ran!['job']));
    expect(job.inputs).toEqual({ version: 'v1.2.3', channel: 'stable' });
    expect(listed).toEqual({
      firings: [
        { source: 'event', jobId: ran!['job'], idempotencyKey: 'release-1.2.3' },
        { source: 'event', reason: 'the condition is false' },
      ],
    });
    expect((await client.api.triggers.get({ params: { id: String(ran!['trigger']) } })).status).toBe(404);
    expect(await client.triggers.list()).toEqual([]);
  }, 90_000);

  it('signed-webhook.ts starts the job from a signed delivery and refuses a forged one', async () => {
    const { code, lines, stderr } = await runProgram('signed-webhook.ts');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(lines).toEqual([{ trigger: expect.any(String), job: expect.any(String), state: 'COMPLETED', result: 'deployed 9fceb02 from refs/heads/main' }]);
    const job = await client.jobs.get(String(lines[0]!['job']));
    expect(job.inputs).toEqual({ ref: 'refs/heads/main', after: '9fceb02' });
    expect((await client.api.triggers.get({ params: { id: String(lines[0]!['trigger']) } })).status).toBe(404);
    expect(await client.triggers.list()).toEqual([]);
  }, 90_000);

  it.each(['on-event.ts', 'signed-webhook.ts'])('%s exits 1 when there is no server', async (program) => {
    const { code, lines } = await runProgram(program, 'http://127.0.0.1:9');
    expect({ code, lines }).toEqual({ code: 1, lines: [] });
  });
});

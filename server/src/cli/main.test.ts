import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, 'main.ts');
const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function twerk(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('twerk validate', () => {
  it('accepts every example and says what each one is', () => {
    const result = twerk('validate', examples);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('hello.yaml: job "hello world", 1 task');
    expect(result.stdout).toContain('asl-hello.yaml: state machine (twerk dialect), 2 states from Hello');
    expect(result.stdout).toMatch(/43 valid, 0 invalid/);
  });

  it('reports every problem of an invalid document with its path, and exits 1', () => {
    const file = join(scratch, 'bad.yaml');
    writeFileSync(file, 'name: bad\ntasks:\n  - name: t\n    image: alpine\n    retry:\n      limit: 50\n    queue: x-mine\n');
    const result = twerk('validate', file);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('tasks[0].retry.limit:');
    expect(result.stdout).toContain('tasks[0].queue:');
    expect(result.stdout).toContain('0 valid, 1 invalid');
  });

  it('reads JSON by its extension and rejects duplicate keys', () => {
    const file = join(scratch, 'dup.json');
    writeFileSync(file, '{"name": "a", "name": "b", "tasks": []}');
    const result = twerk('validate', file);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('name: duplicate key "name"');
  });

  it('explains its usage', () => {
    expect(twerk('validate').status).toBe(2);
    expect(twerk('nope').stderr).toContain('usage:');
    expect(twerk('version').stdout.trim()).toMatch(/^twerk \d+\.\d+\.\d+$/);
    expect(JSON.parse(twerk('version', '--json').stdout)).toMatchObject({ name: 'twerk' });
  });
});

describe('the node options a server runs with', () => {
  it('are the same in the npm scripts, the shebang and SERVER_NODE_FLAGS', async () => {
    const { SERVER_NODE_FLAGS } = await import('./node-flags.ts');
    const { readFileSync } = await import('node:fs');
    const flags = SERVER_NODE_FLAGS.join(' ');
    const scripts = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start']).toBe(`node ${flags} server/src/cli/main.ts server start standalone`);
    expect(scripts['twerk']).toBe(`node ${flags} server/src/cli/main.ts`);
    expect(readFileSync(cli, 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    // The SDK's test server keeps a copy (the SDK does not depend on the server).
    const sdk = await import('../../../sdk/src/client/testing.ts');
    expect(sdk.SERVER_NODE_FLAGS).toEqual(SERVER_NODE_FLAGS);
  });
});

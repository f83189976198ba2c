import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('openapi/openapi.json', () => {
  it('passes redocly lint with no errors and no warnings', () => {
    const result = spawnSync(join(root, 'node_modules', '.bin', 'redocly'), ['lint', 'openapi/openapi.json', '--format', 'stylish'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 120_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toContain('valid');
    expect(output, output).not.toMatch(/\bwarning/i);
  }, 130_000);
});

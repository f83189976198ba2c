/** The client commands against a server with auth on: credentials come from the environment, never a flag. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../sdk/src/client/testing.ts';

const cli = join(import.meta.dirname, 'main.ts');
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ TWERK_MIDDLEWARE_WEB_BASICAUTH_ENABLED: 'true', TWERK_MIDDLEWARE_WEB_KEYAUTH_ENABLED: 'true', TWERK_AUTH_ADMIN_PASSWORD: 'admin-password-123' });
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

function twerk(args: readonly string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  const { TWERK_CLIENT_APIKEY: _a, TWERK_CLIENT_USERNAME: _u, TWERK_CLIENT_PASSWORD: _p, ...inherited } = process.env;
  return new Promise((resolve) =>
    execFile(process.execPath, [cli, ...args, '-e', server.baseUrl], { env: { ...inherited, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error === null ? 0 : Number((error as { code?: number }).code ?? 1), stdout, stderr }),
    ),
  );
}

describe('twerk with credentials', { timeout: 60_000 }, () => {
  it('is refused without them, and signs in with a username and password or an API key from the environment', async () => {
    const refused = await twerk(['job', 'list'], {});
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('credentials are required');

    const signedIn = await twerk(['job', 'list', '--json'], { TWERK_CLIENT_USERNAME: 'admin', TWERK_CLIENT_PASSWORD: 'admin-password-123' });
    expect(signedIn).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(signedIn.stdout)).toMatchObject({ items: [] });

    const made = await fetch(`${server.baseUrl}/keys`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('admin:admin-password-123').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli' }),
    });
    const { key } = (await made.json()) as { key: string };
    expect((await twerk(['queue', 'list'], { TWERK_CLIENT_APIKEY: key })).status).toBe(0);
    expect((await twerk(['queue', 'list'], { TWERK_CLIENT_APIKEY: 'twk_wrong' })).status).toBe(1);
  });
});

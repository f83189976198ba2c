import { describe, expect, it } from 'vitest';
import { contractRoutes } from '../openapi/index.ts';
import { claimRequestSchema, completeRequestSchema, failRequestSchema, logAppendSchema, workerRegistrationSchema } from './worker-protocol.ts';

/** The bodies seed 004's Python worker sends, copied as data. */
const seed004 = {
  register: { worker_id: 'py-1a2b3c4d', labels: ['python'] },
  claim: { worker_id: 'py-1a2b3c4d', labels: ['python'], lease_ttl_secs: 60 },
  logs: { chunks: [{ workflow_id: 'ci-1', job_id: 'build', sequence: 0, data: 'hello\n', timestamp_ms: 1_763_800_000_000, stream: 'stdout' }] },
  complete: { outputs: {} },
  fail: { error: 'boom', retryable: true },
};

describe('the worker protocol messages', () => {
  it("accept seed 004's requests as written", () => {
    expect(workerRegistrationSchema.safeParse(seed004.register).success).toBe(true);
    expect(claimRequestSchema.parse(seed004.claim)).toEqual({ ...seed004.claim, wait_secs: 0 });
    expect(logAppendSchema.safeParse(seed004.logs).success).toBe(true);
    expect(completeRequestSchema.safeParse(seed004.complete).success).toBe(true);
    expect(failRequestSchema.safeParse(seed004.fail).success).toBe(true);
  });

  it('default what seed 004 leaves out', () => {
    expect(claimRequestSchema.parse({ worker_id: 'w', labels: [] })).toMatchObject({ lease_ttl_secs: 30, wait_secs: 0 });
    expect(completeRequestSchema.parse({})).toEqual({ outputs: {} });
    expect(failRequestSchema.parse({ error: 'x' })).toEqual({ error: 'x', retryable: false });
  });

  it('bound lease TTLs and long polls, and reject bad chunks with their path', () => {
    expect(claimRequestSchema.safeParse({ ...seed004.claim, lease_ttl_secs: 1 }).success).toBe(false);
    expect(claimRequestSchema.safeParse({ ...seed004.claim, wait_secs: 3600 }).success).toBe(false);
    const bad = logAppendSchema.safeParse({ chunks: [{ ...seed004.logs.chunks[0], stream: 'stdin' }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['chunks', 0, 'stream']);
  });

  it('are served at every path the seed 004 worker calls', () => {
    const paths = contractRoutes().map(({ route }) => `${route.method} ${route.path}`);
    for (const call of ['POST /api/workers/register', 'POST /api/jobs/claim', 'POST /api/jobs/:lease_id/heartbeat', 'POST /api/jobs/:lease_id/logs', 'POST /api/jobs/:lease_id/complete', 'POST /api/jobs/:lease_id/fail', 'GET /api/jobs/:workflow_id/:job_id/cancelled']) {
      expect(paths).toContain(call);
    }
  });
});

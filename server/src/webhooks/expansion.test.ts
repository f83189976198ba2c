import { describe, expect, it } from 'vitest';
import type { JobDocument } from '@twerk/contract';
import type { JobRecord } from '../datastore/jobs.ts';
import { expandEvents } from './expansion.ts';
import type { CapturedEvent } from './matching.ts';

const SECRET = 'hunter2-value';

function jobRecord(webhooks: JobDocument['webhooks']): JobRecord {
  return {
    id: 'j1', parentId: null, name: 'deploy', description: null, tags: ['prod'], state: 'RUNNING', createdAt: new Date('2026-01-01T00:00:00Z'), createdBy: 'alice',
    startedAt: new Date('2026-01-01T00:00:01Z'), completedAt: null, failedAt: null, position: 1, taskCount: 2,
    document: { name: 'deploy', tasks: [], webhooks } as JobDocument,
    inputs: { region: 'eu', password: 'p' }, secrets: { key: SECRET }, context: {}, output: null, result: null, error: null, progress: 0,
    leavesTotal: 0, leavesDone: 0, deleteAt: null, scheduleId: null, scheduledFor: null,
  } as JobRecord;
}

let ids = 0;
const newId = () => `d${(ids += 1)}`;

const completedJob: CapturedEvent = {
  seq: '7', jobId: 'j1', taskId: null, previousState: 'RUNNING', state: 'COMPLETED', stateChanged: true, progressChanged: true,
  snapshot: { state: 'COMPLETED', position: 2, taskCount: 2, startedAt: '2026-01-01T00:00:01+00:00', completedAt: '2026-01-01T00:00:09.5+00:00', failedAt: null, result: `made with ${SECRET}`, error: null, progress: 100 },
};
const failedTask: CapturedEvent = {
  seq: '8', jobId: 'j1', taskId: 't1', previousState: 'RUNNING', state: 'FAILED', stateChanged: true, progressChanged: false,
  snapshot: { id: 't1', jobId: 'j1', position: 2, name: 'push', description: null, state: 'FAILED', createdAt: '2026-01-01T00:00:02+00:00', scheduledAt: '2026-01-01T00:00:02+00:00', startedAt: '2026-01-01T00:00:03+00:00', completedAt: null, error: `denied for ${SECRET}`, result: null, exitCode: 1, progress: 0, var: 'pushed', tags: ['net'] },
};

describe('expanding captured events', () => {
  it('makes a redacted JobSummary of a job event, as the snapshot saw the job', () => {
    const { deliveries } = expandEvents([completedJob], new Map([['j1', jobRecord([{ url: 'http://hooks/job', headers: { Authorization: 'Bearer {{ secrets.key }}' } }])]]), newId);
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0]!;
    expect(delivery).toMatchObject({ jobId: 'j1', webhook: 0, seq: '7', event: 'job.StateChange', url: 'http://hooks/job', headers: { Authorization: 'Bearer {{ secrets.key }}' } });
    expect(JSON.parse(delivery.payload)).toEqual({
      id: 'j1', name: 'deploy', tags: ['prod'], state: 'COMPLETED', inputs: { region: 'eu', password: '[REDACTED]' }, createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: { id: 'alice', username: 'alice' }, startedAt: '2026-01-01T00:00:01.000Z', completedAt: '2026-01-01T00:00:09.500Z', position: 2, taskCount: 2,
      result: 'made with [REDACTED]', progress: 100,
    });
    expect(delivery.payload).not.toContain(SECRET);
  });

  it('makes a redacted TaskSummary of a task event', () => {
    const { deliveries } = expandEvents([failedTask], new Map([['j1', jobRecord([{ url: 'http://hooks/task', event: 'task.Failed' }])]]), newId);
    expect(deliveries.map((delivery) => delivery.event)).toEqual(['task.Failed']);
    expect(JSON.parse(deliveries[0]!.payload)).toEqual({
      id: 't1', jobId: 'j1', position: 2, progress: 0, name: 'push', state: 'FAILED', createdAt: '2026-01-01T00:00:02.000Z', scheduledAt: '2026-01-01T00:00:02.000Z',
      startedAt: '2026-01-01T00:00:03.000Z', error: 'denied for [REDACTED]', exitCode: 1, var: 'pushed', tags: ['net'],
    });
  });

  it('delivers to each webhook that hears the event and whose if holds, and reports an if that fails', () => {
    const job = jobRecord([
      { url: 'http://hooks/0' },
      { url: 'http://hooks/1', if: "{{ job.State == 'COMPLETED' }}" },
      { url: 'http://hooks/2', if: "{{ job.state == 'FAILED' }}" },
      { url: 'http://hooks/3', event: 'job.Progress' },
      { url: 'http://hooks/4', event: 'job.Completed', if: '{{ job.Name }}' },
      { url: 'http://hooks/5', event: 'task.StateChange', if: "{{ task.State == 'FAILED' && job.State == 'RUNNING' }}" },
    ]);
    const { deliveries, skipped } = expandEvents([completedJob, failedTask], new Map([['j1', job]]), newId);
    expect(deliveries.map((delivery) => [delivery.webhook, delivery.seq])).toEqual([[0, '7'], [1, '7'], [5, '8']]);
    expect(skipped).toEqual([{ jobId: 'j1', webhook: 4, condition: '{{ job.Name }}', problem: 'does not evaluate to a boolean' }]);
  });

  it('drops the events of a job that is gone', () => {
    expect(expandEvents([completedJob, failedTask], new Map(), newId)).toEqual({ deliveries: [], skipped: [], dropped: 2 });
  });
});

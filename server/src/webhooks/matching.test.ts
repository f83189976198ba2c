import { describe, expect, it } from 'vitest';
import { evaluateIf, hears, ifEnvironment, type CapturedEvent, type WebhookEvent } from './matching.ts';

function event(fields: Partial<CapturedEvent>): CapturedEvent {
  return { seq: '1', jobId: 'j', taskId: null, previousState: null, state: 'PENDING', stateChanged: true, progressChanged: false, snapshot: {}, ...fields };
}

const job = (previousState: string | null, state: string) => event({ previousState, state });
const task = (previousState: string | null, state: string) => event({ taskId: 't', previousState, state });
const progress = (taskId: string | null) => event({ taskId, previousState: 'RUNNING', state: 'RUNNING', stateChanged: false, progressChanged: true });

function heard(listening: WebhookEvent | undefined, events: readonly CapturedEvent[]): string[] {
  return events.filter((item) => hears(listening, item)).map((item) => `${item.taskId === null ? 'job' : 'task'} ${item.previousState ?? '-'}>${item.state}${item.stateChanged ? '' : ' progress'}`);
}

describe('which events a webhook hears', () => {
  const lifecycle = [job(null, 'PENDING'), job('PENDING', 'RUNNING'), progress(null), job('RUNNING', 'COMPLETED'), task(null, 'SCHEDULED'), task('SCHEDULED', 'RUNNING'), progress('t'), task('RUNNING', 'COMPLETED')];

  it('job.StateChange by default: every state change of the job, starting with PENDING', () => {
    expect(heard(undefined, lifecycle)).toEqual(['job ->PENDING', 'job PENDING>RUNNING', 'job RUNNING>COMPLETED']);
    expect(heard('job.StateChange', lifecycle)).toEqual(heard(undefined, lifecycle));
  });

  it('Progress: a progress change within a state, for jobs and tasks apart', () => {
    expect(heard('job.Progress', lifecycle)).toEqual(['job RUNNING>RUNNING progress']);
    expect(heard('task.Progress', lifecycle)).toEqual(['task RUNNING>RUNNING progress']);
    // A state change that moves progress too is reported once, as the state change.
    expect(hears('job.Progress', event({ previousState: 'RUNNING', state: 'COMPLETED', progressChanged: true }))).toBe(false);
  });

  it('task.StateChange: every state change of every task, never the job’s', () => {
    expect(heard('task.StateChange', lifecycle)).toEqual(['task ->SCHEDULED', 'task SCHEDULED>RUNNING', 'task RUNNING>COMPLETED']);
  });

  it('the specific events, each for its state', () => {
    const ends = [job('RUNNING', 'FAILED'), job('RUNNING', 'CANCELLED'), job('PENDING', 'CANCELLED'), task('RUNNING', 'FAILED')];
    expect(heard('job.Completed', lifecycle)).toEqual(['job RUNNING>COMPLETED']);
    expect(heard('job.Failed', ends)).toEqual(['job RUNNING>FAILED']);
    expect(heard('job.Cancelled', ends)).toEqual(['job RUNNING>CANCELLED', 'job PENDING>CANCELLED']);
    expect(heard('task.Started', lifecycle)).toEqual(['task SCHEDULED>RUNNING']);
    expect(heard('task.Completed', lifecycle)).toEqual(['task RUNNING>COMPLETED']);
    expect(heard('task.Failed', ends)).toEqual(['task RUNNING>FAILED']);
  });

  it('job.Scheduled when the job starts — even straight to its end — or is restarted, not when cancelled before it started', () => {
    expect(heard('job.Scheduled', lifecycle)).toEqual(['job PENDING>RUNNING']);
    expect(heard('job.Scheduled', [job('PENDING', 'COMPLETED'), job('PENDING', 'FAILED'), job('FAILED', 'RUNNING'), job('CANCELLED', 'RUNNING'), job('PENDING', 'CANCELLED'), job('RUNNING', 'FAILED')])).toEqual([
      'job PENDING>COMPLETED',
      'job PENDING>FAILED',
      'job FAILED>RUNNING',
      'job CANCELLED>RUNNING',
    ]);
  });
});

describe("a webhook's if", () => {
  const jobSummary = { id: 'j1', name: 'build', state: 'COMPLETED', position: 1, taskCount: 1, progress: 100, result: 'ok', createdAt: '2026-01-01T00:00:00.000Z', inputs: { x: '1' } };
  const taskSummary = { id: 't1', jobId: 'j1', state: 'FAILED', var: 'out', position: 1, error: 'boom' };
  const environment = ifEnvironment(jobSummary, taskSummary);

  it("reads Tork's Go field names and the wire's", () => {
    for (const condition of [
      "{{ job.State == 'COMPLETED' }}",
      "{{ job.state == 'COMPLETED' }}",
      "job.ID == 'j1' && job.Name == 'build' && job.Progress == 100 && job.TaskCount == 1 && job.Inputs.x == '1'",
      "{{ job.id == 'j1' && job.result == 'ok' && job.Result == 'ok' }}",
      "{{ task.State == 'FAILED' && task.Var == 'out' && task.JobID == 'j1' && task.error == 'boom' }}",
    ]) {
      expect(evaluateIf(condition, environment), condition).toEqual({ fires: true });
    }
    expect(evaluateIf("{{ job.State == 'FAILED' }}", environment)).toEqual({ fires: false });
  });

  it("sees Go's zero values for what the wire omits", () => {
    expect(evaluateIf("{{ job.Error == '' && job.error == '' && job.ParentID == '' }}", environment)).toEqual({ fires: true });
  });

  it('skips the webhook, with the problem, when it errors or is not a boolean', () => {
    expect(evaluateIf("{{ job.State + 1 }}", environment)).toMatchObject({ fires: false, problem: expect.any(String) });
    expect(evaluateIf('{{ job.State }}', environment)).toEqual({ fires: false, problem: 'does not evaluate to a boolean' });
    expect(evaluateIf('{{ nope.State }}', environment)).toMatchObject({ fires: false, problem: expect.stringContaining('nope') });
  });

  it('fires when there is none', () => {
    expect(evaluateIf(undefined, environment)).toEqual({ fires: true });
  });
});

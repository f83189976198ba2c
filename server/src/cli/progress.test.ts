import type { Job } from '@twerk/sdk';
import { describe, expect, it } from 'vitest';
import { finalLine, formatDuration, renderProgress, statusLine, taskSummary, type ProgressState } from './progress.ts';
import { LineBuffer } from './watch.ts';

function job(fields: Partial<Job> & Pick<Job, 'state'>): Job {
  return { id: 'j1', name: 'nightly build', createdAt: '2026-12-01T10:00:00.000Z', position: 1, tasks: [], execution: [], ...fields };
}

function task(state: Job['execution'][number]['state'], index: number): Job['execution'][number] {
  return { id: `t${index}`, jobId: 'j1', state, name: `task ${index}` };
}

const running = job({ state: 'RUNNING', progress: 50, execution: [task('COMPLETED', 1), task('RUNNING', 2), task('PENDING', 3), task('COMPLETED', 4)] });

function state(fields: Partial<ProgressState> = {}): ProgressState {
  return { jobId: 'j1', job: running, elapsedMs: 12_345, logTail: [], frame: 0, ...fields };
}

describe('the progress block', () => {
  it('shows the job, its state, the time so far, task counts by state and a progress bar', () => {
    expect(renderProgress(state(), { width: 100 })).toEqual([
      '⠋ nightly build (j1)  RUNNING  12.3s',
      `  tasks: 2 completed · 1 running · 1 pending  ${'█'.repeat(10)}${'░'.repeat(10)} 50%`,
    ]);
  });

  it('turns the spinner with the frame and shows the last log lines', () => {
    const lines = renderProgress(state({ frame: 3, logTail: ['one', 'two', 'three', 'four', 'five', 'six', 'seven'] }), { width: 100, tailLines: 3 });
    expect(lines[0]!.startsWith('⠸ ')).toBe(true);
    expect(lines.slice(2)).toEqual(['  │ five', '  │ six', '  │ seven']);
  });

  it('shows no log lines when asked for none (they scroll above it under --follow)', () => {
    expect(renderProgress(state({ logTail: ['one', 'two'] }), { width: 100, tailLines: 0 })).toHaveLength(2);
  });

  it('marks the end: a tick for COMPLETED, a cross otherwise', () => {
    expect(renderProgress(state({ job: job({ state: 'COMPLETED', execution: [task('COMPLETED', 1)] }) }), { width: 100 })[0]).toBe('✔ nightly build (j1)  COMPLETED  12.3s');
    expect(renderProgress(state({ job: job({ state: 'FAILED' }) }), { width: 100 })[0]!.startsWith('✖ ')).toBe(true);
  });

  it('before the first look at the job, says it was submitted', () => {
    expect(renderProgress(state({ job: undefined, elapsedMs: 80 }), { width: 100 })).toEqual(['⠋ j1  SUBMITTED  80ms', '  tasks: no tasks yet']);
  });

  it('never draws a line wider than the terminal, so redrawing in place never wraps', () => {
    const lines = renderProgress(state({ logTail: ['x'.repeat(500), 'tab\there'] }), { width: 30 });
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(30);
    expect(lines[2]!.endsWith('…')).toBe(true);
    expect(lines[3]).toBe('  │ tab  here');
  });
});

describe('plain progress lines', () => {
  it('say the state and the task counts', () => {
    expect(statusLine({ jobId: 'j1', job: running })).toBe('job j1 RUNNING (tasks: 2 completed · 1 running · 1 pending)');
    expect(statusLine({ jobId: 'j1', job: undefined })).toBe('job j1 SUBMITTED (tasks: no tasks yet)');
  });

  it('end with the state, the time and the result or the error', () => {
    expect(finalLine(job({ state: 'COMPLETED', result: 'done\n' }), 1_500)).toBe('job j1 COMPLETED in 1.5s, result: done');
    expect(finalLine(job({ state: 'COMPLETED' }), 61_000)).toBe('job j1 COMPLETED in 1m01s');
    expect(finalLine(job({ state: 'FAILED', error: 'exit status 3' }), 20)).toBe('job j1 FAILED in 20ms: exit status 3');
    expect(finalLine(job({ state: 'CANCELLED' }), 3_723_000)).toBe('job j1 CANCELLED in 1h02m03s');
  });

  it('count nothing for a job without task records', () => {
    expect(taskSummary(job({ state: 'PENDING' }))).toBe('no tasks yet');
    expect(formatDuration(999)).toBe('999ms');
  });
});

describe('log lines arriving in chunks', () => {
  it('are whole lines, the rest kept until the next chunk or the end', () => {
    const buffer = new LineBuffer();
    expect(buffer.push('line 1\nline')).toEqual(['line 1']);
    expect(buffer.push(' 2\n\nline 3')).toEqual(['line 2', '']);
    expect(buffer.flush()).toEqual(['line 3']);
    expect(buffer.flush()).toEqual([]);
  });
});

/**
 * What `twerk job submit --wait` shows while a job runs, as pure functions of what is known about the
 * job: the block a terminal redraws in place, the plain lines written when stdout is not a terminal,
 * and the final line. The I/O that drives them is in watch.ts.
 */
import type { Job } from '@twerk/sdk';

export interface ProgressState {
  readonly jobId: string;
  /** The last look at the job; undefined before the first. */
  readonly job: Job | undefined;
  /** Milliseconds since the wait began. */
  readonly elapsedMs: number;
  /** The newest log lines, oldest first. */
  readonly logTail: readonly string[];
  /** Advances the spinner; ignored once the job is finished. */
  readonly frame: number;
}

export interface RenderOptions {
  /** Terminal columns: no line is longer, so redrawing never wraps. */
  readonly width: number;
  /** How many log lines the block shows (default 5). */
  readonly tailLines?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
/** Task states in the order a reader expects them: done, going, waiting, stopped. */
const TASK_STATE_ORDER = ['COMPLETED', 'RUNNING', 'SCHEDULED', 'PENDING', 'CREATED', 'FAILED', 'CANCELLED', 'STOPPED', 'SKIPPED'];

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return hours > 0 ? `${hours}h${String(minutes).padStart(2, '0')}m${String(rest).padStart(2, '0')}s` : `${minutes}m${String(rest).padStart(2, '0')}s`;
}

/** Counts of the job's task records by state, e.g. "1 completed · 2 running"; "no tasks yet" before any. */
export function taskSummary(job: Job | undefined): string {
  const counts = new Map<string, number>();
  for (const task of job?.execution ?? []) counts.set(task.state, (counts.get(task.state) ?? 0) + 1);
  if (counts.size === 0) return 'no tasks yet';
  const states = [...counts.keys()].sort((a, b) => rank(a) - rank(b));
  return states.map((state) => `${counts.get(state)} ${state.toLowerCase()}`).join(' · ');
}

function rank(state: string): number {
  const index = TASK_STATE_ORDER.indexOf(state);
  return index < 0 ? TASK_STATE_ORDER.length : index;
}

function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function bar(percent: number, cells: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * cells);
  return `${'█'.repeat(filled)}${'░'.repeat(cells - filled)}`;
}

/** The block redrawn in place on a terminal. */
export function renderProgress(state: ProgressState, options: RenderOptions): string[] {
  const { job } = state;
  const width = Math.max(20, options.width);
  const finished = job !== undefined && TERMINAL.has(job.state);
  const mark = finished ? (job.state === 'COMPLETED' ? '✔' : '✖') : SPINNER[state.frame % SPINNER.length]!;
  const title = job?.name !== undefined ? `${job.name} (${state.jobId})` : state.jobId;
  const lines = [`${mark} ${title}  ${job?.state ?? 'SUBMITTED'}  ${formatDuration(state.elapsedMs)}`];
  const progress = job?.progress;
  lines.push(`  tasks: ${taskSummary(job)}${progress !== undefined ? `  ${bar(progress, 20)} ${Math.round(progress)}%` : ''}`);
  const tailLines = options.tailLines ?? 5;
  for (const line of tailLines > 0 ? state.logTail.slice(-tailLines) : []) lines.push(`  │ ${line}`);
  return lines.map((line) => fit(line.replaceAll('\t', '  '), width));
}

/** The plain line for a look at the job when stdout is not a terminal; the caller writes it when it differs from the last one. */
export function statusLine(state: Pick<ProgressState, 'jobId' | 'job'>): string {
  return `job ${state.jobId} ${state.job?.state ?? 'SUBMITTED'} (tasks: ${taskSummary(state.job)})`;
}

/** The last line: how the job ended, in how long, and its result or error. */
export function finalLine(job: Job, elapsedMs: number): string {
  const how = `job ${job.id} ${job.state} in ${formatDuration(elapsedMs)}`;
  if (job.state === 'COMPLETED') return job.result !== undefined ? `${how}, result: ${job.result.replace(/\n$/, '')}` : how;
  return job.error !== undefined ? `${how}: ${job.error}` : how;
}

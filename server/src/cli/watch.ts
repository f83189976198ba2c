/**
 * Waiting for a job from the command line: on a terminal, the progress block of progress.ts redrawn
 * in place (with the log following above it under --follow); otherwise plain lines, one per change
 * of the job, the log as it arrives under --follow, and a final line. Either way the log is drained
 * before the final line, so nothing the job wrote is missing.
 */
import { TERMINAL_JOB_STATES as TERMINAL, type Job, type TwerkClient } from '@twerk/sdk';
import { finalLine, renderProgress, statusLine, type ProgressState } from './progress.ts';

export interface WatchOptions {
  /** Write the job's log as it arrives. */
  readonly follow: boolean;
  readonly out: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly pollMs?: number;
}

/** Splits text arriving in chunks into whole lines. */
export class LineBuffer {
  #partial = '';

  push(text: string): string[] {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop()!;
    return lines;
  }

  flush(): string[] {
    const rest = this.#partial;
    this.#partial = '';
    return rest === '' ? [] : [rest];
  }
}

/** When the job ran: from its creation to its end, by the server's clock; else how long we waited. */
function jobDuration(job: Job, waitedMs: number): number {
  const end = job.completedAt ?? job.failedAt;
  const duration = end !== undefined ? Date.parse(end) - Date.parse(job.createdAt) : NaN;
  return Number.isFinite(duration) && duration >= 0 ? duration : waitedMs;
}

export async function watchJob(client: TwerkClient, jobId: string, options: WatchOptions): Promise<Job> {
  return options.out.isTTY === true ? watchOnTerminal(client, jobId, options) : watchPlain(client, jobId, options);
}

async function watchPlain(client: TwerkClient, jobId: string, options: WatchOptions): Promise<Job> {
  const write = (text: string): void => void options.out.write(text);
  const started = Date.now();
  let last = '';
  let logEndsWithNewline = true;
  const logs = options.follow
    ? (async () => {
        for await (const part of client.jobs.logs(jobId, { follow: true, pollMs: options.pollMs ?? 250 })) {
          write(part.contents);
          if (part.contents !== '') logEndsWithNewline = part.contents.endsWith('\n');
        }
      })()
    : Promise.resolve();
  const job = await client.jobs.wait(jobId, {
    pollMs: options.pollMs ?? 250,
    onUpdate: (update) => {
      // The end is told by the final line, after the rest of the log.
      if (TERMINAL.has(update.state) && options.follow) return;
      const line = statusLine({ jobId, job: update });
      if (line === last) return;
      last = line;
      write(`${logEndsWithNewline ? '' : '\n'}${line}\n`);
      logEndsWithNewline = true;
    },
  });
  await logs;
  write(`${logEndsWithNewline ? '' : '\n'}${finalLine(job, jobDuration(job, Date.now() - started))}\n`);
  return job;
}

async function watchOnTerminal(client: TwerkClient, jobId: string, options: WatchOptions): Promise<Job> {
  const out = options.out;
  const started = Date.now();
  const lines = new LineBuffer();
  let tail: string[] = [];
  let job: Job | undefined;
  let frame = 0;
  let drawn = 0;
  const state = (): ProgressState => ({ jobId, job, elapsedMs: Date.now() - started, logTail: tail, frame });
  // Erase the block drawn last (cursor up, clear to the end of the screen), print what scrolls, draw it again.
  const redraw = (above: readonly string[] = []): void => {
    const block = renderProgress(state(), { width: (out.columns ?? 80) - 1, tailLines: options.follow ? 0 : 5 });
    const erase = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
    out.write(`${erase}${above.map((line) => `${line}\n`).join('')}${block.join('\n')}\n`);
    drawn = block.length;
  };
  const take = (text: string): string[] => {
    const whole = lines.push(text);
    tail = [...tail, ...whole].slice(-5);
    return whole;
  };
  redraw();
  const ticker = setInterval(() => {
    frame += 1;
    redraw();
  }, 100);
  let finished: Job;
  try {
    const logs = (async () => {
      for await (const part of client.jobs.logs(jobId, { follow: true, pollMs: options.pollMs ?? 250 })) {
        const whole = take(part.contents);
        if (options.follow) redraw(whole);
      }
      const rest = lines.flush();
      tail = [...tail, ...rest].slice(-5);
      if (options.follow) redraw(rest);
    })();
    finished = await client.jobs.wait(jobId, { pollMs: options.pollMs ?? 250, onUpdate: (update) => void (job = update) });
    await logs;
  } finally {
    clearInterval(ticker);
  }
  job = finished;
  redraw();
  out.write(`${finalLine(finished, jobDuration(finished, Date.now() - started))}\n`);
  return finished;
}

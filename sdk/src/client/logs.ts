/**
 * A job's log in chronological order, optionally following it. The API pages log parts newest first
 * and new parts land on page 1, pushing older ones back; so each sweep reads pages from the first
 * until everything the server counts has been seen, keeps the parts not seen before, and yields them
 * reversed (oldest first). Following, sweeps repeat until the job is terminal — the state is read
 * before the sweep, so the last sweep sees every part written before the job ended.
 */
import type { Page } from './pages.ts';

export interface LogPart {
  readonly id: string;
  readonly number: number;
  readonly taskId: string;
  readonly contents: string;
  readonly createdAt: string;
}

export interface LogSource {
  page(number: number, size: number): Promise<Page<LogPart>>;
  /** Whether the job has finished: no part is written after this answers true. */
  finished(): Promise<boolean>;
}

export interface ReadLogOptions {
  readonly follow?: boolean;
  /** Between sweeps while following (default 500 ms). */
  readonly pollMs?: number;
  /** Parts per request (the API allows up to 100). */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export async function* readLog(source: LogSource, options: ReadLogOptions = {}): AsyncGenerator<LogPart, void, undefined> {
  const seen = new Set<string>();
  const size = options.pageSize ?? 100;
  const sweep = async (): Promise<LogPart[]> => {
    const fresh: LogPart[] = [];
    for (let number = 1; ; number++) {
      const page = await source.page(number, size);
      for (const part of page.items) {
        if (seen.has(part.id)) continue;
        seen.add(part.id);
        fresh.push(part);
      }
      // Parts are never removed while their job exists, so having seen as many as the server counts means having seen them all.
      if (seen.size >= page.totalItems || page.items.length === 0 || number >= page.totalPages) break;
    }
    return fresh.reverse();
  };
  for (;;) {
    options.signal?.throwIfAborted();
    const last = options.follow !== true || (await source.finished());
    yield* await sweep();
    if (last) return;
    await sleep(options.pollMs ?? 500, options.signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

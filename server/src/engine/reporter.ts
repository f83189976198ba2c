/**
 * Group commit for a worker's reports: what arrives while a write is under way goes out together in
 * the next one, so a burst of finishing tasks (a fan-out) costs one transaction, and a lone task no
 * wait at all. Entries are written in arrival order. A failed write is retried with backoff for as
 * long as it takes (a database restart must not lose outcomes); a batch that keeps failing is split,
 * so one entry the coordinator cannot apply does not hold back the others.
 */
export interface ReporterOptions<Entry> {
  readonly write: (entries: readonly Entry[]) => Promise<void>;
  readonly onError: (error: unknown) => void;
  readonly maxBatch?: number;
}

interface Pending<Entry> {
  readonly entry: Entry;
  resolve(): void;
  reject(error: unknown): void;
}

export class Reporter<Entry> {
  private readonly queue: Pending<Entry>[] = [];
  private flushing: Promise<void> | undefined;
  private stopped = false;

  private readonly options: ReporterOptions<Entry>;

  constructor(options: ReporterOptions<Entry>) {
    this.options = options;
  }

  /** Resolves once the entry is committed. */
  submit(entry: Entry): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the reporter is stopped'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 500);
      await this.write(batch);
    }
  }

  private async write(batch: Pending<Entry>[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.options.write(batch.map((pending) => pending.entry));
        for (const pending of batch) pending.resolve();
        return;
      } catch (error) {
        this.options.onError(error);
        if (this.stopped) {
          for (const pending of batch) pending.reject(error);
          return;
        }
        if (!isTransient(error) && attempt >= 3) {
          if (batch.length > 1) {
            const half = Math.ceil(batch.length / 2);
            await this.write(batch.slice(0, half));
            await this.write(batch.slice(half));
          } else {
            // Refused on its own, and not for want of a database: give up on it. Its message stays
            // unsettled, so pg-boss delivers it again (a bounded number of times).
            batch[0]!.reject(error);
          }
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5_000)));
      }
    }
  }

  /** Waits for what was submitted to be written (or refused), then refuses new entries. */
  async stop(): Promise<void> {
    await this.flushing;
    this.stopped = true;
  }
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300', '40001', '40P01']);

/** Errors that say the database is away or busy, not that the write is wrong: worth retrying for ever. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08'))) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /connection (terminated|refused|ended)|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message);
}

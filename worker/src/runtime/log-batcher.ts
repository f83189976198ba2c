/**
 * Log text of a running task, batched into chunks for the log shipper: flushed on a timer, above a
 * size, and at the end, decoded as UTF-8 across chunk boundaries, delivered in order even when the
 * hook is asynchronous. A tail of the last lines is kept for error messages.
 */
import type { TaskHooks } from './shell.ts';

const TAIL_LINES = 10;

export class LogBatcher {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();
  private readonly decoder = new TextDecoder('utf-8');

  private readonly stream: 'stdout' | 'stderr';
  private readonly hooks: TaskHooks;
  private readonly flushMs: number;
  private readonly flushBytes: number;
  /** The last lines written, kept for error messages (several batchers may share one tail). */
  private readonly tail: string[] | undefined;
  private partialLine = '';

  constructor(stream: 'stdout' | 'stderr', hooks: TaskHooks, flushMs: number, flushBytes: number, tail: string[] | undefined) {
    this.stream = stream;
    this.hooks = hooks;
    this.flushMs = flushMs;
    this.flushBytes = flushBytes;
    this.tail = tail;
  }

  write(bytes: Uint8Array): void {
    this.append(this.decoder.decode(bytes, { stream: true }));
  }

  private append(text: string): void {
    if (text === '') return;
    this.buffer += text;
    if (this.tail) {
      // Whole lines only: a chunk may end in the middle of one, which the next chunk finishes.
      const lines = (this.partialLine + text).split('\n');
      this.partialLine = lines.pop() ?? '';
      this.keep(lines);
    }
    if (this.buffer.length >= this.flushBytes) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer === '' || this.hooks.onLog === undefined) {
      this.buffer = '';
      return;
    }
    const data = this.buffer;
    this.buffer = '';
    const onLog = this.hooks.onLog;
    // Chained so chunks arrive in order even when the hook is asynchronous.
    this.pending = this.pending.then(() => onLog({ stream: this.stream, data })).catch(() => {});
  }

  private keep(lines: readonly string[]): void {
    if (!this.tail) return;
    this.tail.push(...lines.filter((line) => line !== ''));
    if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
  }

  async close(): Promise<void> {
    this.append(this.decoder.decode());
    this.keep([this.partialLine]);
    this.partialLine = '';
    this.flush();
    await this.pending;
  }
}

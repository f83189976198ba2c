/** The log-following algorithm on its own, with parts written between (and during) its page reads. */
import { describe, expect, it } from 'vitest';
import { readLog, type LogPart, type LogSource } from './logs.ts';

/** A job's log as the API pages it — newest first — that grows by one part on every request. */
function growingLog(totalParts: number): { source: LogSource; written: LogPart[] } {
  const written: LogPart[] = [];
  const write = (): void => {
    if (written.length >= totalParts) return;
    const number = written.length + 1;
    written.push({ id: String(number), number, taskId: 't', contents: `part ${number}\n`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, number)).toISOString() });
  };
  return {
    written,
    source: {
      async page(number, size) {
        write();
        const newestFirst = [...written].reverse();
        return { items: newestFirst.slice((number - 1) * size, number * size), number, size, totalItems: written.length, totalPages: Math.ceil(written.length / size) };
      },
      async finished() {
        return written.length >= totalParts;
      },
    },
  };
}

describe('reading a log', () => {
  it('yields every part exactly once, oldest first, while parts keep landing on page 1', async () => {
    const { source, written } = growingLog(40);
    const seen: LogPart[] = [];
    for await (const part of readLog(source, { follow: true, pollMs: 1, pageSize: 3 })) seen.push(part);
    expect(seen.map((part) => part.id)).toEqual(written.map((part) => part.id));
    expect(seen).toHaveLength(40);
  });

  it('without follow, reads what is there once', async () => {
    const { source } = growingLog(10);
    const seen: string[] = [];
    for await (const part of readLog(source, { pageSize: 4 })) seen.push(part.id);
    expect(seen).toEqual(['1']);
  });

  it('stops when its signal aborts', async () => {
    const { source } = growingLog(1_000_000);
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const part of readLog(source, { follow: true, pollMs: 1, signal: controller.signal })) {
          seen.push(part.id);
          if (seen.length === 5) controller.abort(new Error('enough'));
        }
      })(),
    ).rejects.toThrow('enough');
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });
});

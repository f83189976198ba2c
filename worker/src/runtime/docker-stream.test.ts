import { describe, expect, it } from 'vitest';
import { Demultiplexer, packTar, unpackTar, type StreamName } from './docker-stream.ts';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

function demux(chunks: readonly Buffer[]): { stdout: string; stderr: string; leftover: number } {
  const out: Record<StreamName, Buffer[]> = { stdout: [], stderr: [] };
  const parser = new Demultiplexer((stream, bytes) => out[stream].push(bytes));
  for (const chunk of chunks) parser.write(chunk);
  return { stdout: Buffer.concat(out.stdout).toString('utf8'), stderr: Buffer.concat(out.stderr).toString('utf8'), leftover: parser.leftover };
}

describe('the log stream demultiplexer', () => {
  const stream = Buffer.concat([frame(1, 'hello '), frame(2, 'warning: ünïcode\n'), frame(1, 'world\n'), frame(1, ''), frame(2, 'x'.repeat(70_000))]);
  const expected = { stdout: 'hello world\n', stderr: `warning: ünïcode\n${'x'.repeat(70_000)}`, leftover: 0 };

  it('reads frames that arrive whole, or all in one chunk', () => {
    expect(demux([stream])).toEqual(expected);
  });

  it('reads frames cut at every possible byte, headers included (Tork #311)', () => {
    for (let cut = 1; cut < 60; cut += 1) expect(demux([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
  });

  it('reads a stream delivered one byte at a time', () => {
    const small = Buffer.concat([frame(1, 'a\n'), frame(2, 'b\n'), frame(1, 'c\n')]);
    expect(demux([...small].map((byte) => Buffer.from([byte])))).toEqual({ stdout: 'a\nc\n', stderr: 'b\n', leftover: 0 });
  });

  it('holds an unfinished frame instead of emitting garbage', () => {
    const cut = frame(1, 'complete').subarray(0, 11);
    expect(demux([cut])).toEqual({ stdout: '', stderr: '', leftover: 11 });
  });
});

describe('tar archives', () => {
  it('round-trip files, nested paths and names longer than 100 bytes', () => {
    const long = `${'deep/'.repeat(30)}file.txt`;
    const archive = packTar([
      { name: 'dir', body: '', type: 'directory' },
      { name: 'dir/a.txt', body: 'alpha' },
      { name: long, body: Buffer.from([0, 1, 2, 255]) },
      { name: 'empty', body: '' },
    ]);
    expect(archive.length % 512).toBe(0);
    const files = unpackTar(archive);
    expect([...files.keys()]).toEqual(['dir/a.txt', long, 'empty']);
    expect(files.get('dir/a.txt')?.toString()).toBe('alpha');
    expect([...files.get(long)!]).toEqual([0, 1, 2, 255]);
  });

  it('refuses a name ustar cannot hold', () => {
    expect(() => packTar([{ name: 'x'.repeat(300), body: '' }])).toThrow(/too long/);
  });

  it('read what GNU tar writes for long names', () => {
    const name = 'n'.repeat(120);
    const longHeader = packTar([{ name: '././@LongLink', body: `${name}\0` }]).subarray(0, 1024);
    longHeader[156] = 'L'.charCodeAt(0);
    // Recompute nothing: unpackTar does not verify checksums, as the engine's archives are trusted.
    const rest = packTar([{ name: 'short', body: 'body' }]);
    expect(unpackTar(Buffer.concat([longHeader, rest])).get(name)?.toString()).toBe('body');
  });
});

/**
 * The two byte formats the Docker API speaks besides JSON, written as pure functions over buffers so
 * they can be tested on every way a stream may be cut:
 * - the multiplexed log stream of a container without a TTY: frames of an 8-byte header (stream type,
 *   three zero bytes, a big-endian length) and that many bytes. A frame may arrive in any number of
 *   pieces, and one piece may hold many frames; reading the header and the body with one read each is
 *   what garbled Tork's logs (#311), so this parser keeps what it has not consumed yet;
 * - tar archives (ustar), the only way the API copies files into and out of a container.
 */

export type StreamName = 'stdout' | 'stderr';

const HEADER_BYTES = 8;

/** Splits a multiplexed stream into its stdout and stderr bytes, whatever the chunking. */
export class Demultiplexer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly emit: (stream: StreamName, bytes: Buffer) => void;

  constructor(emit: (stream: StreamName, bytes: Buffer) => void) {
    this.emit = emit;
  }

  write(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (this.pending.length - offset >= HEADER_BYTES) {
      const type = this.pending[offset]!;
      const length = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - HEADER_BYTES < length) break;
      const body = this.pending.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
      // 0 is stdin (never sent to us), 1 stdout, 2 stderr; anything else is a system message we show as stderr.
      if (length > 0) this.emit(type === 1 ? 'stdout' : 'stderr', Buffer.from(body));
      offset += HEADER_BYTES + length;
    }
    this.pending = this.pending.subarray(offset);
  }

  /** Bytes of an unfinished frame, when the stream ended in the middle of one. */
  get leftover(): number {
    return this.pending.length;
  }
}

export interface TarEntry {
  readonly name: string;
  readonly body: Buffer | string;
  /** Permission bits, e.g. 0o644. */
  readonly mode?: number;
  readonly type?: 'file' | 'directory';
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** Splits a path for ustar's 100-byte name and 155-byte prefix fields. */
function splitName(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let cut = name.lastIndexOf('/'); cut > 0; cut = name.lastIndexOf('/', cut - 1)) {
    const prefix = name.slice(0, cut);
    const rest = name.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { name: rest, prefix };
  }
  throw new Error(`the file name "${name}" is too long to copy into a container (ustar allows 255 bytes)`);
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitName(entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(entry.mode ?? (entry.type === 'directory' ? 0o755 : 0o644), 8), 100, 8, 'ascii');
  block.write(octal(0, 8), 108, 8, 'ascii'); // uid
  block.write(octal(0, 8), 116, 8, 'ascii'); // gid
  block.write(octal(size, 12), 124, 12, 'ascii');
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136, 12, 'ascii');
  block.write('        ', 148, 8, 'ascii'); // checksum, counted as spaces
  block.write(entry.type === 'directory' ? '5' : '0', 156, 1, 'ascii');
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** A tar archive of the entries (directories are not implied: list them before their files). */
export function packTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.type === 'directory' ? Buffer.alloc(0) : Buffer.isBuffer(entry.body) ? entry.body : Buffer.from(entry.body, 'utf8');
    parts.push(header(entry, body.length), body);
    const padding = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

/** The regular files of a tar archive, by name (GNU long names and pax headers are honoured for names). */
export function unpackTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) break;
    const size = Number.parseInt(field(block, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(block[156]!);
    const prefix = field(block, 345, 155);
    const body = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    const name = longName ?? (prefix === '' ? field(block, 0, 100) : `${prefix}/${field(block, 0, 100)}`);
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
    else if (type === 'x') {
      const path = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (path) longName = path[1];
    } else if (type === '0' || type === '\0') files.set(name, Buffer.from(body));
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

/**
 * A small iterative JSON parser for the boundary. JSON.parse would do, except that it silently keeps
 * the last of duplicate keys and recurses without bound; this one reports duplicates with their path,
 * enforces depth and node budgets while it parses, and uses an explicit stack so no input can
 * overflow the call stack.
 */
import { documentError, fieldError, type ContractError, type PathSegment } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { DOCUMENT_LIMITS, DOCUMENT_MESSAGES } from './limits.ts';

type Container =
  | { readonly kind: 'object'; readonly value: Record<string, unknown>; readonly keys: Set<string>; key: string | undefined; readonly pathKey: PathSegment | undefined }
  | { readonly kind: 'array'; readonly value: unknown[]; readonly pathKey: PathSegment | undefined };

class JsonFailure {
  readonly error: ContractError;
  constructor(error: ContractError) {
    this.error = error;
  }
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Assigning "__proto__" would set the prototype; define it as plain data instead.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function parseJson(text: string): Result<unknown, ContractError> {
  let index = 0;
  let nodes = 0;
  const stack: Container[] = [];

  const position = (at: number): string => {
    let line = 1;
    let lineStart = 0;
    for (let cursor = 0; cursor < at; cursor += 1) {
      if (text.charCodeAt(cursor) === 10) {
        line += 1;
        lineStart = cursor + 1;
      }
    }
    return `line ${line}, column ${at - lineStart + 1}`;
  };
  const syntax = (message: string, at = index): never => {
    throw new JsonFailure(documentError(`invalid JSON: ${message} at ${position(at)}`, 'syntax_error'));
  };
  const path = (): PathSegment[] => stack.slice(1).map((frame) => frame.pathKey!);
  const countNode = (): void => {
    nodes += 1;
    if (nodes > DOCUMENT_LIMITS.maxNodes) throw new JsonFailure(documentError(DOCUMENT_MESSAGES.tooManyNodes, 'too_many_nodes'));
  };
  const skipWhitespace = (): void => {
    while (index < text.length) {
      const code = text.charCodeAt(index);
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) break;
      index += 1;
    }
  };

  const SPECIAL = /[\\\u0000-\u001f]/;
  const readString = (): string => {
    const start = index;
    index += 1;
    // Fast path: most strings have no escapes, so take everything up to the closing quote at once.
    const close = text.indexOf('"', index);
    if (close >= 0) {
      const body = text.slice(index, close);
      if (!SPECIAL.test(body)) {
        index = close + 1;
        return body;
      }
    }
    let out = '';
    let chunkStart = index;
    for (;;) {
      if (index >= text.length) syntax('unterminated string', start);
      const code = text.charCodeAt(index);
      if (code === 0x22) {
        out += text.slice(chunkStart, index);
        index += 1;
        return out;
      }
      if (code < 0x20) syntax('control character in string');
      if (code === 0x5c) {
        out += text.slice(chunkStart, index);
        const escape = text[index + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (escape !== undefined && escape in simple) {
          out += simple[escape];
          index += 2;
        } else if (escape === 'u') {
          const hex = text.slice(index + 2, index + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) syntax('invalid \\u escape');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          index += 6;
        } else {
          syntax('invalid escape');
        }
        chunkStart = index;
        continue;
      }
      index += 1;
    }
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const readScalar = (): unknown => {
    const char = text[index];
    if (char === '"') return readString();
    if (text.startsWith('true', index)) {
      index += 4;
      return true;
    }
    if (text.startsWith('false', index)) {
      index += 5;
      return false;
    }
    if (text.startsWith('null', index)) {
      index += 4;
      return null;
    }
    NUMBER.lastIndex = index;
    const match = NUMBER.exec(text);
    if (match === null) return syntax(index >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(char)}`);
    index += match[0].length;
    return Number(match[0]);
  };

  /** Attaches a finished value to the container on top of the stack (or returns it as the root). */
  let root: unknown;
  let haveRoot = false;
  const attach = (value: unknown): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      root = value;
      haveRoot = true;
    } else if (top.kind === 'array') {
      top.value.push(value);
    } else {
      setOwn(top.value, top.key!, value);
      top.key = undefined;
    }
  };

  const open = (kind: 'object' | 'array'): void => {
    countNode();
    if (stack.length + 1 > DOCUMENT_LIMITS.maxDepth) throw new JsonFailure(documentError(DOCUMENT_MESSAGES.tooDeep, 'too_deep'));
    const top = stack[stack.length - 1];
    const pathKey: PathSegment | undefined = top === undefined ? undefined : top.kind === 'array' ? top.value.length : top.key;
    index += 1;
    stack.push(kind === 'object' ? { kind, value: {}, keys: new Set(), key: undefined, pathKey } : { kind, value: [], pathKey });
  };

  try {
    skipWhitespace();
    // Parse a value, then repeatedly: close containers or read the next member.
    let expectValue = true;
    for (;;) {
      skipWhitespace();
      const top = stack[stack.length - 1];
      if (expectValue) {
        const char = text[index];
        if (char === '{') {
          open('object');
          skipWhitespace();
          if (text[index] === '}') {
            index += 1;
            const done = stack.pop()!;
            attach(done.value);
            expectValue = false;
          } else {
            expectValue = false;
            // fall through to read the first key below
            const frame = stack[stack.length - 1]!;
            if (frame.kind === 'object') {
              readKey(frame);
              expectValue = true;
            }
          }
          continue;
        }
        if (char === '[') {
          open('array');
          skipWhitespace();
          if (text[index] === ']') {
            index += 1;
            attach(stack.pop()!.value);
            expectValue = false;
          }
          continue;
        }
        countNode();
        attach(readScalar());
        expectValue = false;
        continue;
      }
      if (top === undefined) break;
      const char = text[index];
      if (char === ',') {
        index += 1;
        skipWhitespace();
        if (top.kind === 'object') readKey(top);
        expectValue = true;
        continue;
      }
      if ((char === '}' && top.kind === 'object') || (char === ']' && top.kind === 'array')) {
        index += 1;
        stack.pop();
        attach(top.value);
        continue;
      }
      syntax(index >= text.length ? 'unexpected end of input' : `expected ',' or '${top.kind === 'object' ? '}' : ']'}' but found ${JSON.stringify(char)}`);
    }
    skipWhitespace();
    if (index < text.length) syntax(`unexpected ${JSON.stringify(text[index])} after the document`);
    if (!haveRoot) syntax('unexpected end of input');
    return ok(root);
  } catch (caught) {
    if (caught instanceof JsonFailure) return err(caught.error);
    throw caught;
  }

  function readKey(frame: Extract<Container, { kind: 'object' }>): void {
    skipWhitespace();
    if (text[index] !== '"') syntax(index >= text.length ? 'unexpected end of input' : 'expected a quoted key');
    countNode();
    const key = readString();
    if (frame.keys.has(key)) {
      const at = [...path(), key];
      const message = `duplicate key ${JSON.stringify(key)}`;
      throw new JsonFailure({ message: `${fieldError(at, message).path}: ${message}`, errors: [fieldError(at, message)], code: 'duplicate_key' });
    }
    frame.keys.add(key);
    frame.key = key;
    skipWhitespace();
    if (text[index] !== ':') syntax("expected ':' after a key");
    index += 1;
  }
}

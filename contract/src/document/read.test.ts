import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_LIMITS, readDocument, syntaxOfContentType, type DocumentErrorCode } from './index.ts';

const KNOWN_CODES: readonly DocumentErrorCode[] = ['unsupported_media_type', 'empty_document', 'document_too_large', 'nul_byte', 'invalid_utf8', 'syntax_error', 'duplicate_key', 'too_deep', 'too_many_nodes'];

function codeOf(body: Uint8Array | string, contentType?: string): string | undefined {
  const result = readDocument(body, contentType);
  return result.ok ? undefined : result.error.code;
}

function tree(body: string, contentType?: string): unknown {
  const result = readDocument(body, contentType);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** A YAML or JSON document of exactly `size` bytes. */
function ofSize(size: number, syntax: 'yaml' | 'json'): string {
  const frame = syntax === 'yaml' ? ['a: "', '"'] : ['{"a":"', '"}'];
  return frame[0] + 'x'.repeat(size - frame[0]!.length - frame[1]!.length) + frame[1];
}

const nestedFlow = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const nestedBlock = (depth: number): string => Array.from({ length: depth }, (_, level) => `${'  '.repeat(level)}a:`).join('\n') + ' 1\n';
/** A list of `count - 1` scalars: `count` nodes with the list itself. */
const flatList = (count: number): string => `[${Array.from({ length: count - 1 }, () => '1').join(',')}]`;

describe('the size limit (512 KiB)', () => {
  for (const syntax of ['yaml', 'json'] as const) {
    const type = syntax === 'yaml' ? 'text/yaml' : 'application/json';
    it(`accepts exactly ${DOCUMENT_LIMITS.maxBytes} bytes of ${syntax} and rejects one more`, () => {
      expect(new TextEncoder().encode(ofSize(DOCUMENT_LIMITS.maxBytes, syntax)).length).toBe(524_288);
      expect(codeOf(ofSize(DOCUMENT_LIMITS.maxBytes, syntax), type)).toBeUndefined();
      expect(codeOf(ofSize(DOCUMENT_LIMITS.maxBytes + 1, syntax), type)).toBe('document_too_large');
    });
  }

  it('measures bytes, not characters', () => {
    const text = `a: "${'é'.repeat(DOCUMENT_LIMITS.maxBytes / 2)}"`; // 2 bytes each: over the limit
    expect(codeOf(text, 'text/yaml')).toBe('document_too_large');
  });
});

describe('the depth limit (64)', () => {
  it('accepts 64 nested collections and rejects 65, in JSON and flow and block YAML', () => {
    expect(codeOf(nestedFlow(64), 'application/json')).toBeUndefined();
    expect(codeOf(nestedFlow(65), 'application/json')).toBe('too_deep');
    expect(codeOf(nestedFlow(64), 'text/yaml')).toBeUndefined();
    expect(codeOf(nestedFlow(65), 'text/yaml')).toBe('too_deep');
    expect(codeOf(nestedBlock(64), 'text/yaml')).toBeUndefined();
    expect(codeOf(nestedBlock(65), 'text/yaml')).toBe('too_deep');
  });

  it('rejects 100,000 open brackets without overflowing the stack', () => {
    expect(codeOf('['.repeat(100_000), 'application/json')).toBe('too_deep');
    expect(codeOf('['.repeat(100_000), 'text/yaml')).toBe('too_deep');
    expect(codeOf('{"a":'.repeat(60_000), 'application/json')).toBe('too_deep');
  });

  it('rejects long runs of compact block indicators quickly, one request after another', () => {
    // Parsed as YAML, this sequence of bodies once exhausted the yaml library's memory and killed the process.
    for (const body of ['- '.repeat(200_000) + '1', '? '.repeat(200_000) + '1', '- ? '.repeat(100_000) + '1', ': '.repeat(200_000) + '1']) {
      expect(codeOf(body, 'text/yaml')).toBe('too_deep');
    }
    expect(codeOf(`${'- '.repeat(64)}1`, 'text/yaml')).toBeUndefined();
    expect(codeOf(`${'- '.repeat(65)}1`, 'text/yaml')).toBe('too_deep');
  });

  it('does not count brackets inside quoted strings as nesting', () => {
    expect(tree(`a: "${'['.repeat(100)}"`, 'text/yaml')).toEqual({ a: '['.repeat(100) });
  });
});

describe('the node limit (10,000)', () => {
  it('accepts 10,000 nodes and rejects 10,001', () => {
    for (const type of ['application/json', 'text/yaml']) {
      expect(codeOf(flatList(10_000), type)).toBeUndefined();
      expect(codeOf(flatList(10_001), type)).toBe('too_many_nodes');
    }
  });

  it('counts mapping keys as nodes', () => {
    const pairs = (count: number): string => `{${Array.from({ length: count }, (_, index) => `"k${index}":1`).join(',')}}`;
    expect(codeOf(pairs(4_999), 'application/json')).toBeUndefined(); // 1 + 2 × 4,999 = 9,999
    expect(codeOf(pairs(5_000), 'application/json')).toBe('too_many_nodes'); // 10,001
    expect(codeOf(pairs(5_000), 'text/yaml')).toBe('too_many_nodes');
  });

  it('counts aliases at their expanded size, so a billion laughs is rejected quickly', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [index, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const previous = String.fromCharCode('a'.charCodeAt(0) + index);
      lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`);
    }
    const started = performance.now();
    expect(codeOf(lines.join('\n'), 'text/yaml')).toBe('too_many_nodes');
    expect(performance.now() - started).toBeLessThan(5_000); // a generous bound: expanding would take minutes
  });

  it('accepts aliases whose expansion stays within budget', () => {
    expect(tree('base: &b {x: 1}\nother: *b\nmerged:\n  <<: *b\n  y: 2\n', 'text/yaml')).toEqual({ base: { x: 1 }, other: { x: 1 }, merged: { x: 1, y: 2 } });
  });
});

describe('the other checks, in order', () => {
  it('rejects an empty or blank body', () => {
    expect(codeOf('', 'text/yaml')).toBe('empty_document');
    expect(codeOf(' \n\t ', 'application/json')).toBe('empty_document');
    expect(codeOf(new Uint8Array([0xef, 0xbb, 0xbf]), 'text/yaml')).toBe('empty_document');
  });

  it('rejects NUL bytes', () => {
    expect(codeOf('name: a\u0000b', 'text/yaml')).toBe('nul_byte');
  });

  it('rejects invalid UTF-8 but accepts a byte order mark', () => {
    expect(codeOf(new Uint8Array([0x61, 0x3a, 0x20, 0xff]), 'text/yaml')).toBe('invalid_utf8');
    expect(tree('\ufeffa: 1', 'text/yaml')).toEqual({ a: 1 });
  });

  it('checks size before NUL bytes, and NUL bytes before UTF-8', () => {
    expect(codeOf(`${ofSize(DOCUMENT_LIMITS.maxBytes + 1, 'yaml')}\u0000`, 'text/yaml')).toBe('document_too_large');
    expect(codeOf(new Uint8Array([0xff, 0x00]), 'text/yaml')).toBe('nul_byte');
  });

  it('reports syntax errors with a line and column', () => {
    const yaml = readDocument('name: a\n  b: [', 'text/yaml');
    expect(!yaml.ok && yaml.error.code).toBe('syntax_error');
    const json = readDocument('{\n  "a": 1,\n  "b": }', 'application/json');
    expect(!json.ok && json.error).toMatchObject({ code: 'syntax_error', message: expect.stringContaining('line 3, column 8') });
  });

  it('rejects a plain scalar holding ": " as YAML does (the Tork README secrets example)', () => {
    expect(codeOf('run: curl -H "API_KEY: $API_KEY" http://example.com\n', 'text/yaml')).toBe('syntax_error');
  });

  it('rejects more than one YAML document', () => {
    expect(codeOf('a: 1\n---\nb: 2\n', 'text/yaml')).toBe('syntax_error');
  });

  it('reports duplicate keys with their path', () => {
    const yaml = readDocument('tasks:\n  - env:\n      A: 1\n      A: 2\n', 'text/yaml');
    expect(!yaml.ok && yaml.error).toMatchObject({ code: 'duplicate_key', errors: [{ path: 'tasks[0].env.A', message: 'duplicate key "A"' }] });
    const json = readDocument('{"tasks":[{"env":{"A":"1","A":"2"}}]}', 'application/json');
    expect(!json.ok && json.error).toMatchObject({ code: 'duplicate_key', errors: [{ path: 'tasks[0].env.A' }] });
  });
});

describe('values', () => {
  it('keeps YAML 1.2 core scalars: yes and dates stay strings', () => {
    expect(tree('a: yes\nb: 2024-01-01\nc: 010\nd: 1.0\ne: ~\n', 'text/yaml')).toEqual({ a: 'yes', b: '2024-01-01', c: 10, d: 1, e: null });
  });

  it('stores __proto__ keys as plain data without touching prototypes', () => {
    for (const [body, type] of [['{"__proto__": {"polluted": true}}', 'application/json'], ['__proto__:\n  polluted: true\n', 'text/yaml']] as const) {
      const value = tree(body, type) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(value, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
  });
});

describe('content types', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/JSON;charset="UTF-8"', 'json'],
    ['text/yaml', 'yaml'],
    ['application/yaml', 'yaml'],
    ['application/x-yaml; charset=utf-8', 'yaml'],
    ['text/x-yaml', 'yaml'],
  ])('%s is %s', (type, syntax) => {
    const result = syntaxOfContentType(type);
    expect(result.ok && result.value).toBe(syntax);
  });

  it.each(['text/plain', 'application/xml', 'application/json; charset=latin1', ''])('%j is unsupported', (type) => {
    expect(codeOf('{}', type)).toBe('unsupported_media_type');
  });

  it('sniffs the syntax when no content type is given', () => {
    expect(tree('{"a": [1]}')).toEqual({ a: [1] });
    expect(tree('a: [1]')).toEqual({ a: [1] });
  });
});

describe('robustness (property tests)', () => {
  const onlyKnownOutcomes = (body: Uint8Array | string, type?: string): void => {
    const result = readDocument(body, type);
    if (!result.ok) {
      expect(KNOWN_CODES).toContain(result.error.code);
      expect(result.error.message.length).toBeGreaterThan(0);
    }
  };

  it('answers arbitrary bytes with a tree or a known error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('text/yaml', 'application/json', undefined), (bytes, type) => onlyKnownOutcomes(bytes, type)), { numRuns: 1500 });
  });

  it('answers arbitrary text with a tree or a known error', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('text/yaml', 'application/json'), (text, type) => onlyKnownOutcomes(text, type)), { numRuns: 1500 });
  });

  it('round-trips any JSON value through both syntaxes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const json = readDocument(JSON.stringify(value), 'application/json');
        expect(json.ok).toBe(true);
        if (json.ok) expect(json.value).toStrictEqual(JSON.parse(JSON.stringify(value)));
        // JSON is YAML 1.2, so the same text read as YAML gives the same tree (or a budget error).
        onlyKnownOutcomes(JSON.stringify(value), 'text/yaml');
      }),
      { numRuns: 500 },
    );
  });
});

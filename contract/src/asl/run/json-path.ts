/**
 * JSONPath as the Amazon States Language uses it (research/landscape.md §4): our own parser and
 * evaluator, no `eval`. Two kinds of path:
 * - reference paths (`$.a.b`, `$['odd key']`, `$.list[2]`) name at most one value and may be written to
 *   (ResultPath);
 * - query paths add wildcards (`[*]`, `.*`), recursive descent (`..name`), unions (`[0,2]`, `['a','b']`),
 *   slices (`[1:3]`) and filters (`[?(@.price < 10)]`), and select a list of values.
 * `$$` paths read the context object; `$name` paths read a workflow variable.
 */
import { StatesError } from './states-error.ts';

type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';

type FilterExpression =
  | { readonly kind: 'compare'; readonly path: readonly Segment[]; readonly operator: Comparison; readonly value: unknown }
  | { readonly kind: 'exists'; readonly path: readonly Segment[] }
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpression; readonly right: FilterExpression };

type Segment =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'descend'; readonly name: string | undefined }
  | { readonly kind: 'union'; readonly keys: readonly (string | number)[] }
  | { readonly kind: 'slice'; readonly start: number | undefined; readonly end: number | undefined; readonly step: number }
  | { readonly kind: 'filter'; readonly expression: FilterExpression };

export interface JsonPath {
  readonly text: string;
  /** `$` is the value at hand, `$$` the context object, a name a workflow variable. */
  readonly root: { readonly kind: 'input' } | { readonly kind: 'context' } | { readonly kind: 'variable'; readonly name: string };
  readonly segments: readonly Segment[];
  /** Names at most one value: only names and indexes. */
  readonly definite: boolean;
}

class PathSyntaxError extends Error {}

const NAME_CHAR = /[^.[\]\s()=<>!&|,'"?@*]/u;

class Parser {
  private index = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  private peek(offset = 0): string | undefined {
    return this.text[this.index + offset];
  }

  private fail(message: string): never {
    throw new PathSyntaxError(`${message} at position ${this.index + 1}`);
  }

  private expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected "${char}"`);
    this.index += 1;
  }

  private skipSpaces(): void {
    while (this.peek() === ' ') this.index += 1;
  }

  private name(): string {
    const start = this.index;
    while (this.peek() !== undefined && NAME_CHAR.test(this.peek()!)) this.index += 1;
    if (this.index === start) this.fail('expected a name');
    return this.text.slice(start, this.index);
  }

  private quoted(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') this.fail('expected a quoted name');
    this.index += 1;
    let out = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined) this.fail('unterminated string');
      this.index += 1;
      if (char === quote) return out;
      if (char === '\\') {
        const next = this.peek();
        if (next === undefined) this.fail('unterminated string');
        this.index += 1;
        out += next;
      } else out += char;
    }
  }

  private integer(): number {
    const start = this.index;
    if (this.peek() === '-') this.index += 1;
    while (this.peek() !== undefined && /[0-9]/.test(this.peek()!)) this.index += 1;
    const text = this.text.slice(start, this.index);
    if (text === '' || text === '-') this.fail('expected a number');
    return Number(text);
  }

  path(): JsonPath {
    if (this.peek() !== '$') this.fail('a path starts with "$"');
    this.index += 1;
    let root: JsonPath['root'] = { kind: 'input' };
    if (this.peek() === '$') {
      this.index += 1;
      root = { kind: 'context' };
    } else if (this.peek() !== undefined && this.peek() !== '.' && this.peek() !== '[') {
      root = { kind: 'variable', name: this.name() };
    }
    const segments = this.segments(false);
    if (this.index < this.text.length) this.fail(`unexpected "${this.peek()}"`);
    const definite = segments.every((segment) => segment.kind === 'name' || segment.kind === 'index');
    return { text: this.text, root, segments, definite };
  }

  /** Segments until the end (or, inside a filter, until something that is not a segment). */
  private segments(inFilter: boolean): Segment[] {
    const segments: Segment[] = [];
    for (;;) {
      const char = this.peek();
      if (char === '.') {
        if (this.peek(1) === '.') {
          this.index += 2;
          if (this.peek() === '*') {
            this.index += 1;
            segments.push({ kind: 'descend', name: undefined });
          } else if (this.peek() === '[') {
            segments.push({ kind: 'descend', name: undefined });
          } else segments.push({ kind: 'descend', name: this.name() });
          continue;
        }
        this.index += 1;
        if (this.peek() === '*') {
          this.index += 1;
          segments.push({ kind: 'wildcard' });
        } else segments.push({ kind: 'name', name: this.name() });
      } else if (char === '[') {
        segments.push(this.bracket());
      } else {
        if (!inFilter && char !== undefined) this.fail(`unexpected "${char}"`);
        return segments;
      }
    }
  }

  private bracket(): Segment {
    this.expect('[');
    this.skipSpaces();
    let segment: Segment;
    if (this.peek() === '*') {
      this.index += 1;
      segment = { kind: 'wildcard' };
    } else if (this.peek() === '?') {
      this.index += 1;
      this.expect('(');
      segment = { kind: 'filter', expression: this.filterOr() };
      this.skipSpaces();
      this.expect(')');
    } else if (this.peek() === "'" || this.peek() === '"') {
      const keys: string[] = [this.quoted()];
      this.skipSpaces();
      while (this.peek() === ',') {
        this.index += 1;
        this.skipSpaces();
        keys.push(this.quoted());
        this.skipSpaces();
      }
      segment = keys.length === 1 ? { kind: 'name', name: keys[0]! } : { kind: 'union', keys };
    } else {
      const first = this.peek() === ':' ? undefined : this.integer();
      this.skipSpaces();
      if (this.peek() === ':') {
        this.index += 1;
        const end = this.peek() === ']' || this.peek() === ':' ? undefined : this.integer();
        let step = 1;
        if (this.peek() === ':') {
          this.index += 1;
          step = this.integer();
          if (step === 0) this.fail('a slice step cannot be 0');
        }
        segment = { kind: 'slice', start: first, end, step };
      } else {
        const keys: number[] = [first!];
        while (this.peek() === ',') {
          this.index += 1;
          this.skipSpaces();
          keys.push(this.integer());
          this.skipSpaces();
        }
        segment = keys.length === 1 ? { kind: 'index', index: keys[0]! } : { kind: 'union', keys };
      }
    }
    this.skipSpaces();
    this.expect(']');
    return segment;
  }

  private filterOr(): FilterExpression {
    let left = this.filterAnd();
    this.skipSpaces();
    while (this.text.startsWith('||', this.index)) {
      this.index += 2;
      left = { kind: 'or', left, right: this.filterAnd() };
      this.skipSpaces();
    }
    return left;
  }

  private filterAnd(): FilterExpression {
    let left = this.filterTerm();
    this.skipSpaces();
    while (this.text.startsWith('&&', this.index)) {
      this.index += 2;
      left = { kind: 'and', left, right: this.filterTerm() };
      this.skipSpaces();
    }
    return left;
  }

  private filterTerm(): FilterExpression {
    this.skipSpaces();
    if (this.peek() === '(') {
      this.index += 1;
      const inner = this.filterOr();
      this.skipSpaces();
      this.expect(')');
      return inner;
    }
    this.expect('@');
    const path = this.segments(true);
    this.skipSpaces();
    const operator = (['==', '!=', '<=', '>=', '<', '>'] as const).find((candidate) => this.text.startsWith(candidate, this.index));
    if (operator === undefined) return { kind: 'exists', path };
    this.index += operator.length;
    this.skipSpaces();
    return { kind: 'compare', path, operator, value: this.literal() };
  }

  private literal(): unknown {
    const char = this.peek();
    if (char === "'" || char === '"') return this.quoted();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.index)) {
        this.index += word.length;
        return value;
      }
    }
    const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.index));
    if (!match) this.fail('expected a literal (a number, a quoted string, true, false or null)');
    this.index += match[0].length;
    return Number(match[0]);
  }
}

const parsed = new Map<string, JsonPath | string>();

/** The path, or why it is not one (cached: machines use the same paths at every step). */
export function parsePath(text: string): JsonPath | string {
  let path = parsed.get(text);
  if (path === undefined) {
    try {
      path = new Parser(text).path();
    } catch (caught) {
      if (!(caught instanceof PathSyntaxError)) throw caught;
      path = `"${text}" is not a valid JSONPath: ${caught.message}`;
    }
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, path);
  }
  return path;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return Object.values(value);
  return [];
}

function compareFilter(left: unknown, operator: Comparison, right: unknown): boolean {
  switch (operator) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    default: {
      if (!((typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string'))) return false;
      if (operator === '<') return left < right;
      if (operator === '<=') return left <= right;
      if (operator === '>') return left > right;
      return left >= right;
    }
  }
}

function matchesFilter(value: unknown, expression: FilterExpression): boolean {
  switch (expression.kind) {
    case 'and':
      return matchesFilter(value, expression.left) && matchesFilter(value, expression.right);
    case 'or':
      return matchesFilter(value, expression.left) || matchesFilter(value, expression.right);
    case 'exists':
      return select([value], expression.path).length > 0;
    case 'compare': {
      const found = select([value], expression.path);
      return found.length > 0 && compareFilter(found[0], expression.operator, expression.value);
    }
  }
}

function sliceIndexes(length: number, segment: Extract<Segment, { kind: 'slice' }>): number[] {
  const clamp = (value: number) => (value < 0 ? Math.max(0, length + value) : Math.min(length, value));
  const out: number[] = [];
  if (segment.step > 0) {
    for (let index = clamp(segment.start ?? 0); index < clamp(segment.end ?? length); index += segment.step) out.push(index);
  } else {
    const start = segment.start === undefined ? length - 1 : Math.min(length - 1, segment.start < 0 ? length + segment.start : segment.start);
    const end = segment.end === undefined ? -1 : segment.end < 0 ? length + segment.end : segment.end;
    for (let index = start; index > end; index += segment.step) out.push(index);
  }
  return out;
}

function descendants(value: unknown, out: unknown[]): void {
  for (const child of children(value)) {
    out.push(child);
    descendants(child, out);
  }
}

function own(value: unknown, key: string | number): unknown[] {
  if (typeof key === 'number') {
    if (!Array.isArray(value)) return [];
    const index = key < 0 ? value.length + key : key;
    return index >= 0 && index < value.length ? [value[index]] : [];
  }
  return isObject(value) && Object.hasOwn(value, key) ? [value[key]] : [];
}

function select(start: readonly unknown[], segments: readonly Segment[]): unknown[] {
  let current = [...start];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      switch (segment.kind) {
        case 'name':
          next.push(...own(value, segment.name));
          break;
        case 'index':
          next.push(...own(value, segment.index));
          break;
        case 'wildcard':
          next.push(...children(value));
          break;
        case 'union':
          for (const key of segment.keys) next.push(...own(value, key));
          break;
        case 'slice':
          if (Array.isArray(value)) for (const index of sliceIndexes(value.length, segment)) next.push(value[index]);
          break;
        case 'filter':
          for (const child of children(value)) if (matchesFilter(child, segment.expression)) next.push(child);
          break;
        case 'descend': {
          const all = [value];
          descendants(value, all);
          for (const node of all) {
            if (segment.name === undefined) next.push(...(node === value ? [] : [node]));
            else next.push(...own(node, segment.name));
          }
          break;
        }
      }
    }
    current = next;
  }
  return current;
}

/** Where a path's root points. */
export interface PathScope {
  readonly input: unknown;
  readonly context: unknown;
  readonly variables: ReadonlyMap<string, unknown>;
}

function rootValue(path: JsonPath, scope: PathScope): unknown[] {
  if (path.root.kind === 'input') return [scope.input];
  if (path.root.kind === 'context') return [scope.context];
  const name = path.root.name;
  if (!scope.variables.has(name)) throw new StatesError('States.Runtime', `the variable $${name} is not defined`);
  return [scope.variables.get(name)];
}

/**
 * The value a path selects: for a definite path the one value (or `undefined` when it is missing), for
 * a query the array of every match.
 */
export function readPath(text: string, scope: PathScope): { readonly found: true; readonly value: unknown } | { readonly found: false } {
  const path = parsePath(text);
  if (typeof path === 'string') throw new StatesError('States.Runtime', path);
  const matches = select(rootValue(path, scope), path.segments);
  if (!path.definite) return { found: true, value: matches };
  return matches.length === 0 ? { found: false } : { found: true, value: matches[0] };
}

/**
 * `input` with `value` put where a reference path points (ResultPath), creating objects on the way;
 * answers an error message when the path cannot hold a value there (e.g. it goes through a string).
 */
export function writePath(text: string, input: unknown, value: unknown): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  const path = parsePath(text);
  if (typeof path === 'string') return { ok: false, error: path };
  if (path.root.kind !== 'input' || !path.definite) return { ok: false, error: `"${text}" is not a reference path (only names and indexes under $)` };
  if (path.segments.length === 0) return { ok: true, value };
  const root: unknown = structuredClone(input);
  const set = (container: unknown, segments: readonly Segment[]): unknown => {
    const [segment, ...rest] = segments as [Segment, ...Segment[]];
    if (segment.kind === 'name') {
      if (container === undefined) container = {};
      if (!isObject(container)) throw new Error(`"${segment.name}" cannot be set on ${Array.isArray(container) ? 'a list' : JSON.stringify(container)}`);
      container[segment.name] = rest.length === 0 ? value : set(container[segment.name], rest);
      return container;
    }
    const index = (segment as { readonly index: number }).index;
    if (!Array.isArray(container) || index < 0 || index >= container.length) throw new Error(`index ${index} is not in ${Array.isArray(container) ? 'the list' : JSON.stringify(container ?? null)}`);
    container[index] = rest.length === 0 ? value : set(container[index], rest);
    return container;
  };
  try {
    return { ok: true, value: set(root, path.segments) };
  } catch (caught) {
    return { ok: false, error: `ResultPath "${text}" cannot be applied to the input: ${(caught as Error).message}` };
  }
}

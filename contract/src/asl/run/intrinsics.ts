/**
 * The 18 intrinsic functions of ASL's JSONPath mode (`States.Format('{} items', $.n)` and friends),
 * parsed and evaluated by our own code. Arguments are string literals in single quotes (with `\'`,
 * `\{`, `\}` and `\\` escapes), numbers, booleans, null, paths, and nested intrinsic calls. Every
 * misuse fails the execution with `States.Runtime` naming the function (as Step Functions and the
 * differential test's independent interpreter do: not States.IntrinsicFailure, and no catcher takes it).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readPath, type PathScope } from './json-path.ts';
import { StatesError } from './states-error.ts';

type Argument =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'path'; readonly text: string }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Argument[] };

const LIMIT = 10_000;

function failure(cause: string): never {
  throw new StatesError('States.Runtime', cause);
}

class Parser {
  private index = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  private skipSpaces(): void {
    while (this.text[this.index] === ' ') this.index += 1;
  }

  call(): Extract<Argument, { kind: 'call' }> {
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.index));
    if (!match) failure(`"${this.text}" is not an intrinsic function call`);
    this.index += match[0].length;
    this.skipSpaces();
    if (this.text[this.index] !== '(') failure(`${match[0]} needs its arguments in parentheses`);
    this.index += 1;
    const args: Argument[] = [];
    this.skipSpaces();
    if (this.text[this.index] === ')') this.index += 1;
    else {
      for (;;) {
        args.push(this.argument());
        this.skipSpaces();
        const char = this.text[this.index];
        this.index += 1;
        if (char === ')') break;
        if (char !== ',') failure(`${match[0]}: expected "," or ")" in "${this.text}"`);
        this.skipSpaces();
      }
    }
    return { kind: 'call', name: match[0], args };
  }

  parseWhole(): Extract<Argument, { kind: 'call' }> {
    this.skipSpaces();
    const call = this.call();
    this.skipSpaces();
    if (this.index !== this.text.length) failure(`unexpected text after ${call.name}(…) in "${this.text}"`);
    return call;
  }

  private argument(): Argument {
    const rest = this.text.slice(this.index);
    if (rest.startsWith("'")) return { kind: 'literal', value: this.string() };
    if (rest.startsWith('States.')) return this.call();
    if (rest.startsWith('$')) return { kind: 'path', text: this.pathText() };
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (number) {
      this.index += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (rest.startsWith(word)) {
        this.index += word.length;
        return { kind: 'literal', value };
      }
    }
    failure(`cannot read an argument at "${rest}"`);
  }

  private string(): string {
    this.index += 1;
    let out = '';
    for (;;) {
      const char = this.text[this.index];
      if (char === undefined) failure(`unterminated string in "${this.text}"`);
      this.index += 1;
      if (char === "'") return out;
      if (char === '\\') {
        const next = this.text[this.index];
        if (next === undefined) failure(`unterminated string in "${this.text}"`);
        this.index += 1;
        // `\{` and `\}` stay escaped for States.Format, which tells them from placeholders.
        out += next === '{' || next === '}' ? `\\${next}` : next;
      } else out += char;
    }
  }

  /** A path argument runs to the next top-level "," or ")" (brackets and quotes may hold either). */
  private pathText(): string {
    const start = this.index;
    let depth = 0;
    let quote: string | undefined;
    for (; this.index < this.text.length; this.index += 1) {
      const char = this.text[this.index]!;
      if (quote !== undefined) {
        if (char === '\\') this.index += 1;
        else if (char === quote) quote = undefined;
      } else if (char === "'" || char === '"') quote = char;
      else if (char === '[' || char === '(') depth += 1;
      else if (char === ']' || (char === ')' && depth > 0)) depth -= 1;
      else if (depth === 0 && (char === ',' || char === ')')) break;
    }
    return this.text.slice(start, this.index).trim();
  }
}

export function isIntrinsic(text: string): boolean {
  return /^\s*States\.[A-Za-z0-9]+\s*\(/.test(text);
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function expect<T>(name: string, position: number, value: unknown, test: (value: unknown) => value is T, what: string): T {
  if (!test(value)) failure(`${name}: argument ${position} must be ${what}, not ${typeName(value)}`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isInteger = (value: unknown): value is number => Number.isInteger(value);
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a as object);
  const keysB = Object.keys(b as object);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b as object, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function arity(name: string, args: readonly unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) failure(`${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${args.length}`);
}

function format(args: readonly unknown[]): string {
  const name = 'States.Format';
  if (args.length === 0) failure(`${name} needs a template`);
  const [first, ...values] = args;
  const template = expect(name, 1, first, isString, 'a string');
  let next = 0;
  let out = '';
  for (let index = 0; index < template.length; index += 1) {
    const char = template[index]!;
    if (char === '\\' && (template[index + 1] === '{' || template[index + 1] === '}')) {
      out += template[index + 1];
      index += 1;
    } else if (char === '{' && template[index + 1] === '}') {
      if (next >= values.length) failure(`${name}: the template has more {} than the ${values.length} value${values.length === 1 ? '' : 's'} given`);
      const value = values[next];
      next += 1;
      if (value !== null && typeof value === 'object') failure(`${name}: argument ${next + 1} must be a string, number, boolean or null, not ${typeName(value)}`);
      out += value === null ? 'null' : String(value);
      index += 1;
    } else out += char;
  }
  if (next !== values.length) failure(`${name}: ${values.length} values given for ${next} {}`);
  return out;
}

const HASHES: Readonly<Record<string, string>> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function apply(name: string, args: readonly unknown[]): unknown {
  switch (name) {
    case 'States.Format':
      return format(args);
    case 'States.StringToJson': {
      arity(name, args, 1);
      const text = expect(name, 1, args[0], isString, 'a string');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return failure(`${name}: "${text.slice(0, 100)}" is not JSON`);
      }
    }
    case 'States.JsonToString':
      arity(name, args, 1);
      return JSON.stringify(args[0]);
    case 'States.Array':
      return [...args];
    case 'States.ArrayPartition': {
      arity(name, args, 2);
      const list = expect(name, 1, args[0], isArray, 'an array');
      const size = expect(name, 2, args[1], isInteger, 'an integer');
      if (size <= 0) failure(`${name}: the chunk size must be more than 0`);
      const chunks: unknown[][] = [];
      for (let index = 0; index < list.length; index += size) chunks.push(list.slice(index, index + size));
      return chunks;
    }
    case 'States.ArrayContains': {
      arity(name, args, 2);
      return expect(name, 1, args[0], isArray, 'an array').some((item) => deepEqual(item, args[1]));
    }
    case 'States.ArrayRange': {
      arity(name, args, 3);
      const [start, end, step] = [1, 2, 3].map((position) => expect(name, position, args[position - 1], isInteger, 'an integer')) as [number, number, number];
      if (step === 0) failure(`${name}: the step cannot be 0`);
      const out: number[] = [];
      for (let value = start; step > 0 ? value <= end : value >= end; value += step) {
        out.push(value);
        if (out.length > 1000) failure(`${name}: at most 1000 items`);
      }
      return out;
    }
    case 'States.ArrayGetItem': {
      arity(name, args, 2);
      const list = expect(name, 1, args[0], isArray, 'an array');
      const index = expect(name, 2, args[1], isInteger, 'an integer');
      if (index < 0 || index >= list.length) failure(`${name}: index ${index} is out of bounds (the array has ${list.length} items)`);
      return list[index];
    }
    case 'States.ArrayLength':
      arity(name, args, 1);
      return expect(name, 1, args[0], isArray, 'an array').length;
    case 'States.ArrayUnique': {
      arity(name, args, 1);
      const out: unknown[] = [];
      for (const item of expect(name, 1, args[0], isArray, 'an array')) if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
      return out;
    }
    case 'States.Base64Encode': {
      arity(name, args, 1);
      const text = expect(name, 1, args[0], isString, 'a string');
      if (text.length > LIMIT) failure(`${name}: the input is longer than ${LIMIT} characters`);
      return Buffer.from(text, 'utf8').toString('base64');
    }
    case 'States.Base64Decode': {
      arity(name, args, 1);
      const text = expect(name, 1, args[0], isString, 'a string');
      if (text.length > LIMIT) failure(`${name}: the input is longer than ${LIMIT} characters`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) failure(`${name}: "${text.slice(0, 100)}" is not base64`);
      return Buffer.from(text, 'base64').toString('utf8');
    }
    case 'States.Hash': {
      arity(name, args, 2);
      const data = args[0] === null ? failure(`${name}: argument 1 must not be null`) : typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
      const algorithm = expect(name, 2, args[1], isString, 'a string');
      const node = HASHES[algorithm];
      if (node === undefined) failure(`${name}: "${algorithm}" is not one of ${Object.keys(HASHES).join(', ')}`);
      if (data.length > LIMIT) failure(`${name}: the input is longer than ${LIMIT} characters`);
      return createHash(node).update(data, 'utf8').digest('hex');
    }
    case 'States.JsonMerge': {
      arity(name, args, 3);
      const left = expect(name, 1, args[0], isObject, 'an object');
      const right = expect(name, 2, args[1], isObject, 'an object');
      const deep = expect(name, 3, args[2], isBoolean, 'a boolean');
      if (deep) failure(`${name}: deep merging (true) is not supported; pass false for a shallow merge`);
      return { ...left, ...right };
    }
    case 'States.MathRandom': {
      arity(name, args, 2, 3);
      const start = expect(name, 1, args[0], isInteger, 'an integer');
      const end = expect(name, 2, args[1], isInteger, 'an integer');
      if (args.length === 3) expect(name, 3, args[2], isInteger, 'an integer');
      if (end < start) failure(`${name}: the end (${end}) is less than the start (${start})`);
      return start + Math.floor(Math.random() * (end - start + 1));
    }
    case 'States.MathAdd': {
      arity(name, args, 2);
      const a = expect(name, 1, args[0], isNumber, 'a number');
      const b = expect(name, 2, args[1], isNumber, 'a number');
      return a + b;
    }
    case 'States.StringSplit': {
      arity(name, args, 2);
      const text = expect(name, 1, args[0], isString, 'a string');
      const delimiters = expect(name, 2, args[1], isString, 'a string');
      if (delimiters === '') return [text];
      const parts: string[] = [];
      let current = '';
      for (const char of text) {
        if (delimiters.includes(char)) {
          parts.push(current);
          current = '';
        } else current += char;
      }
      parts.push(current);
      return parts.filter((part) => part !== '');
    }
    case 'States.UUID':
      arity(name, args, 0);
      return randomUUID();
    default:
      return failure(`${name} is not an intrinsic function`);
  }
}

function evaluate(argument: Argument, scope: PathScope): unknown {
  switch (argument.kind) {
    case 'literal':
      return argument.value;
    case 'path': {
      const read = readPath(argument.text, scope);
      if (!read.found) failure(`the path ${argument.text} matches nothing in the input`);
      return read.value;
    }
    case 'call':
      return apply(
        argument.name,
        argument.args.map((inner, index) => {
          const value = evaluate(inner, scope);
          // Only a Format template tells an escaped brace from a placeholder; elsewhere `\{` is just `{`.
          const template = argument.name === 'States.Format' && index === 0;
          return inner.kind === 'literal' && typeof value === 'string' && !template ? value.replace(/\\([{}])/g, '$1') : value;
        }),
      );
  }
}

/** Evaluates an intrinsic call such as `States.Format('{} items', $.count)`. */
export function evaluateIntrinsic(text: string, scope: PathScope): unknown {
  return evaluate(new Parser(text).parseWhole(), scope);
}

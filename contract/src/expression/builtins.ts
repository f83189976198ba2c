/**
 * The functions an expression can call: expr-lang's builtins (v1.17, minus the time functions), Tork's
 * `sequence` and `randomInt`, and Twerk's additions (`format`, `hash`, `uuid`, `array*`, `math*`, …).
 * Predicate builtins (`filter`, `map`, …) live in the evaluator because they run closures.
 */
import { createHash } from 'node:crypto';
import type { Budget } from './budget.ts';
import { formatValue, JsonEncodeError, toGoJson } from './format.ts';
import { compare, equal, EvaluationFailure, fail, fetch, fromUtf8, toInt, typeName, utf8Bytes } from './runtime.ts';
import { isArray, isNumber, toValue, ValueMap, wrapInt, type Value } from './value.ts';

export interface CallContext {
  readonly budget: Budget;
  /** A uniform random number in [0, 1); injectable so tests can be deterministic. */
  readonly random: () => number;
}

type Builtin = (args: readonly Value[], context: CallContext) => Value;

function arity(name: string, args: readonly Value[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} or ${max}`;
    fail(`invalid number of arguments for ${name} (expected ${expected}, got ${args.length})`);
  }
}

function str(name: string, value: Value | undefined): string {
  if (typeof value === 'string') return value;
  return fail(`invalid argument for ${name} (type ${typeName(value ?? null)}), expected string`);
}

function list(name: string, value: Value | undefined): readonly Value[] {
  if (isArray(value ?? null)) return value as readonly Value[];
  return fail(`invalid argument for ${name} (type ${typeName(value ?? null)}), expected array`);
}

function int(name: string, value: Value | undefined): bigint {
  if (typeof value === 'bigint') return value;
  return fail(`invalid argument for ${name} (type ${typeName(value ?? null)}), expected int`);
}

function map(name: string, value: Value | undefined): ValueMap {
  if (value instanceof ValueMap) return value;
  return fail(`invalid argument for ${name} (type ${typeName(value ?? null)}), expected map`);
}

function built(context: CallContext, items: Value[], what: string): Value[] {
  context.budget.items(items.length, what);
  return items;
}

function text(context: CallContext, value: string, what: string): string {
  context.budget.text(value.length, what);
  return value;
}

/** Go's strings.SplitN semantics (n < 0: all; n == 0: none; empty separator splits into characters). */
function splitGo(source: string, separator: string, limit: number, keepSeparator: boolean): string[] {
  if (limit === 0) return [];
  if (separator === '') {
    const chars = [...source];
    if (limit < 0 || limit >= chars.length) return chars;
    return [...chars.slice(0, limit - 1), chars.slice(limit - 1).join('')];
  }
  const parts: string[] = [];
  let start = 0;
  for (;;) {
    if (limit > 0 && parts.length === limit - 1) break;
    const found = source.indexOf(separator, start);
    if (found < 0) break;
    parts.push(source.slice(start, keepSeparator ? found + separator.length : found));
    start = found + separator.length;
  }
  parts.push(source.slice(start));
  return parts;
}

/** Go's strings.ToUpper/ToLower change each code point to one code point; JS may expand (ß → SS). */
function mapRunes(text: string, change: (char: string) => string): string {
  let out = '';
  for (const char of text) {
    const changed = change(char);
    out += [...changed].length === 1 ? changed : char;
  }
  return out;
}

/** Go's strconv.ParseFloat for the forms people write: decimals, exponents, Inf and NaN; no padding. */
function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  // Underscores may separate digits, as in Go literals.
  if (/(^|[^0-9a-fA-F])_|_($|[^0-9a-fA-F])|__/.test(text)) return undefined;
  const plain = text.replaceAll('_', '');
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(plain);
  if (hex) {
    const [, sign, whole = '', fraction = '', exponent = '0'] = hex;
    if (whole === '' && fraction === '') return undefined;
    const mantissa = Number.parseInt(`${whole}${fraction}` || '0', 16) / 16 ** fraction.length;
    return (sign === '-' ? -1 : 1) * mantissa * 2 ** Number(exponent);
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(plain)) return undefined;
  return Number(plain);
}

function trimCutset(source: string, cutset: string): string {
  const cut = new Set(cutset);
  const chars = [...source];
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start]!)) start += 1;
  while (end > start && cut.has(chars[end - 1]!)) end -= 1;
  return chars.slice(start, end).join('');
}

/** Go's strings.TrimSpace: ASCII whitespace plus Unicode White_Space. */
function trimSpace(source: string): string {
  return source.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}

function byteIndex(source: string, needle: string, last: boolean): bigint {
  const found = last ? source.lastIndexOf(needle) : source.indexOf(needle);
  return found < 0 ? -1n : BigInt(utf8Bytes(source.slice(0, found)).length);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64Encode(source: string): string {
  const bytes = utf8Bytes(source);
  let out = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const chunk = (bytes[index]! << 16) | ((bytes[index + 1] ?? 0) << 8) | (bytes[index + 2] ?? 0);
    const remaining = bytes.length - index;
    out += BASE64[(chunk >> 18) & 63]! + BASE64[(chunk >> 12) & 63]!;
    out += remaining > 1 ? BASE64[(chunk >> 6) & 63]! : '=';
    out += remaining > 2 ? BASE64[chunk & 63]! : '=';
  }
  return out;
}

/** Strict standard base64 with padding, like Go's base64.StdEncoding (line breaks are ignored there too). */
function base64Decode(name: string, source: string): string {
  const clean = source.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return fail(`${name}: illegal base64 data`);
  const bytes: number[] = [];
  for (let index = 0; index < clean.length; index += 4) {
    const group = clean.slice(index, index + 4);
    if (group.includes('=') && index + 4 !== clean.length) return fail(`${name}: illegal base64 data at input byte ${index}`);
    const values = [...group].map((char) => (char === '=' ? 0 : BASE64.indexOf(char)));
    const chunk = (values[0]! << 18) | (values[1]! << 12) | (values[2]! << 6) | values[3]!;
    bytes.push((chunk >> 16) & 255);
    if (group[2] !== '=') bytes.push((chunk >> 8) & 255);
    if (group[3] !== '=') bytes.push(chunk & 255);
  }
  return fromUtf8(Uint8Array.from(bytes));
}

/** fromJSON like Go's json.Unmarshal into `any`: objects → maps, every number → float64. */
function fromJson(name: string, source: string): Value {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source, (_key, value: unknown) => {
      // Go's decoder refuses numbers a float64 cannot hold; JS would silently make them Infinity.
      if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('out of range');
      return value;
    });
    return toValue(parsed, { numbers: 'float' });
  } catch (caught) {
    if (caught instanceof RangeError && caught.message === 'out of range') return fail(`${name}: a number is out of range for a float64`);
    if (caught instanceof RangeError) throw new EvaluationFailure(`${name}: the JSON is nested too deeply`, 'budget');
    return fail(`${name}: ${(caught as Error).message}`);
  }
}

function toJson(context: CallContext, value: Value, indent: string): string {
  try {
    return text(context, toGoJson(value, indent), 'toJSON');
  } catch (caught) {
    if (caught instanceof JsonEncodeError) return fail(caught.message);
    throw caught;
  }
}

function numbersOf(name: string, values: readonly Value[], depth = 0): (bigint | number)[] {
  if (depth > 32) return fail(`${name}: arrays are nested too deeply`);
  const out: (bigint | number)[] = [];
  for (const value of values) {
    if (isArray(value)) out.push(...numbersOf(name, value, depth + 1));
    else if (isNumber(value)) out.push(value);
    else fail(`invalid argument for ${name} (type ${typeName(value)})`);
  }
  return out;
}

function extreme(name: string, args: readonly Value[], pick: (order: number) => boolean): Value {
  arity(name, args, 1, Infinity);
  if (args.length === 1 && !isArray(args[0]!) && !isNumber(args[0]!)) return args[0]!;
  let best: Value = null;
  for (const value of numbersOf(name, args)) if (best === null || pick(compare(value, best))) best = value;
  return best;
}

function flattenInto(out: Value[], values: readonly Value[], depth: number): void {
  if (depth > 32) fail('flatten: arrays are nested too deeply');
  for (const value of values) {
    if (isArray(value)) flattenInto(out, value, depth + 1);
    else out.push(value);
  }
}

function sortValues(values: readonly Value[], descending: boolean): Value[] {
  return [...values].sort((a, b) => (descending ? compare(b, a) : compare(a, b)));
}

function sortedKeys(value: ValueMap): string[] {
  return [...value.entries.keys()].sort();
}

function saturate(value: bigint): bigint {
  const max = 0x7fffffffffffffffn;
  return value > max ? max : value < -max - 1n ? -max - 1n : value;
}

function hashHex(name: string, value: string, algorithm: string): string {
  const known: Readonly<Record<string, string>> = { sha256: 'sha256', md5: 'md5', sha1: 'sha1', sha512: 'sha512' };
  const chosen = known[algorithm.toLowerCase()];
  if (chosen === undefined) return fail(`${name}: unknown algorithm ${JSON.stringify(algorithm)} (use sha256, sha512, sha1 or md5)`);
  return createHash(chosen).update(value, 'utf8').digest('hex');
}

function randomBelow(context: CallContext, bound: bigint): bigint {
  // Two draws give 53 + 53 bits, plenty for any 63-bit bound with negligible bias.
  const high = BigInt(Math.floor(context.random() * 2 ** 53));
  const low = BigInt(Math.floor(context.random() * 2 ** 53));
  return ((high << 53n) | low) % bound;
}

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['len', (args) => {
    arity('len', args, 1);
    const value = args[0]!;
    if (typeof value === 'string') return BigInt([...value].length);
    if (isArray(value)) return BigInt(value.length);
    if (value instanceof ValueMap) return BigInt(value.entries.size);
    return fail(`invalid argument for len (type ${typeName(value)})`);
  }],
  ['type', (args) => {
    arity('type', args, 1);
    const value = args[0]!;
    if (value === null) return 'nil';
    return { boolean: 'bool', bigint: 'int', number: 'float', string: 'string' }[typeof value as 'boolean'] ?? (value instanceof ValueMap ? 'map' : 'array');
  }],
  ['abs', (args) => {
    arity('abs', args, 1);
    const value = args[0]!;
    if (typeof value === 'bigint') return wrapInt(value < 0n ? -value : value);
    if (typeof value === 'number') return value < 0 ? -value : value; // Go keeps -0 as it is
    return fail(`invalid argument for abs (type ${typeName(value)})`);
  }],
  ...(['ceil', 'floor', 'round'] as const).map((name): [string, Builtin] => [name, (args) => {
    arity(name, args, 1);
    const value = args[0]!;
    if (typeof value === 'bigint') return Number(value);
    if (typeof value !== 'number') return fail(`invalid argument for ${name} (type ${typeName(value)})`);
    if (name === 'round') return value < 0 ? -Math.round(-value) : Math.round(value);
    return Math[name](value);
  }]),
  ['int', (args) => {
    arity('int', args, 1);
    const value = args[0]!;
    if (typeof value === 'string') {
      if (!/^[+-]?\d+$/.test(value)) return fail(`invalid operation: int(${value})`);
      const parsed = BigInt(value);
      if (parsed !== BigInt.asIntN(64, parsed)) return fail(`invalid operation: int(${value})`);
      return parsed;
    }
    if (isNumber(value)) return toInt(value, 'int');
    return fail(`invalid operation: int(${typeName(value)})`);
  }],
  ['float', (args) => {
    arity('float', args, 1);
    const value = args[0]!;
    if (isNumber(value)) return Number(value);
    if (typeof value === 'string') return parseGoFloat(value) ?? fail(`invalid operation: float(${value})`);
    return fail(`invalid operation: float(${typeName(value)})`);
  }],
  ['string', (args, context) => {
    arity('string', args, 1);
    return text(context, formatValue(args[0]!), 'string');
  }],
  ['trim', (args) => {
    arity('trim', args, 1, 2);
    return args.length === 1 ? trimSpace(str('trim', args[0])) : trimCutset(str('trim', args[0]), str('trim', args[1]));
  }],
  ['trimPrefix', (args) => {
    arity('trimPrefix', args, 1, 2);
    const value = str('trimPrefix', args[0]);
    const prefix = args.length === 2 ? str('trimPrefix', args[1]) : ' ';
    return value.startsWith(prefix) ? value.slice(prefix.length) : value;
  }],
  ['trimSuffix', (args) => {
    arity('trimSuffix', args, 1, 2);
    const value = str('trimSuffix', args[0]);
    const suffix = args.length === 2 ? str('trimSuffix', args[1]) : ' ';
    return suffix !== '' && value.endsWith(suffix) ? value.slice(0, value.length - suffix.length) : value;
  }],
  ['upper', (args) => (arity('upper', args, 1), mapRunes(str('upper', args[0]), (char) => char.toUpperCase()))],
  ['lower', (args) => (arity('lower', args, 1), mapRunes(str('lower', args[0]), (char) => char.toLowerCase()))],
  ...(['split', 'splitAfter'] as const).map((name): [string, Builtin] => [name, (args, context) => {
    arity(name, args, 2, 3);
    const limit = args.length === 3 ? Number(toInt(args[2]!, `${name} count`)) : -1;
    return built(context, splitGo(str(name, args[0]), str(name, args[1]), limit, name === 'splitAfter'), name);
  }]),
  ['replace', (args, context) => {
    arity('replace', args, 3, 4);
    const [value, old, replacement] = [str('replace', args[0]), str('replace', args[1]), str('replace', args[2])];
    const limit = args.length === 4 ? Number(toInt(args[3]!, 'replace count')) : -1;
    const parts = splitGo(value, old, limit < 0 ? -1 : limit + 1, false);
    if (old === '') {
      // Go inserts the replacement before every character and at the end.
      const chars = [...value];
      const count = limit < 0 ? chars.length + 1 : Math.min(limit, chars.length + 1);
      let out = '';
      for (let index = 0; index < chars.length; index += 1) out += (index < count ? replacement : '') + chars[index];
      return text(context, out + (count > chars.length ? replacement : ''), 'replace');
    }
    return text(context, parts.join(replacement), 'replace');
  }],
  ['repeat', (args, context) => {
    arity('repeat', args, 2);
    const value = str('repeat', args[0]);
    const count = toInt(args[1]!, 'repeat count');
    if (count < 0n) return fail(`invalid argument for repeat (expected positive integer, got ${count})`);
    context.budget.text(value.length * Number(count), 'repeat');
    return value.repeat(Number(count));
  }],
  ['join', (args, context) => {
    arity('join', args, 1, 2);
    const items = list('join', args[0]).map((item) => str('join', item));
    return text(context, items.join(args.length === 2 ? str('join', args[1]) : ''), 'join');
  }],
  ['indexOf', (args) => (arity('indexOf', args, 2), byteIndex(str('indexOf', args[0]), str('indexOf', args[1]), false))],
  ['lastIndexOf', (args) => (arity('lastIndexOf', args, 2), byteIndex(str('lastIndexOf', args[0]), str('lastIndexOf', args[1]), true))],
  ['hasPrefix', (args) => (arity('hasPrefix', args, 2), str('hasPrefix', args[0]).startsWith(str('hasPrefix', args[1])))],
  ['hasSuffix', (args) => (arity('hasSuffix', args, 2), str('hasSuffix', args[0]).endsWith(str('hasSuffix', args[1])))],
  ['max', (args) => extreme('max', args, (order) => order > 0)],
  ['min', (args) => extreme('min', args, (order) => order < 0)],
  ['mean', (args) => {
    arity('mean', args, 1, Infinity);
    const values = numbersOf('mean', args);
    return values.length === 0 ? 0 : values.reduce<number>((sum, value) => sum + Number(value), 0) / values.length;
  }],
  ['median', (args) => {
    arity('median', args, 1, Infinity);
    const values = numbersOf('median', args).map(Number).sort((a, b) => a - b);
    if (values.length === 0) return 0;
    const middle = Math.floor(values.length / 2);
    return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
  }],
  ['toJSON', (args, context) => (arity('toJSON', args, 1), toJson(context, args[0]!, '  '))],
  ['fromJSON', (args) => (arity('fromJSON', args, 1), fromJson('fromJSON', str('fromJSON', args[0])))],
  ['toBase64', (args, context) => (arity('toBase64', args, 1), text(context, base64Encode(str('toBase64', args[0])), 'toBase64'))],
  ['fromBase64', (args) => (arity('fromBase64', args, 1), base64Decode('fromBase64', str('fromBase64', args[0])))],
  ['first', (args) => {
    arity('first', args, 1);
    const value = args[0]!;
    if (isArray(value)) return value[0] ?? null;
    if (typeof value === 'string') return value === '' ? null : fetch(value, 0n);
    return value === null ? null : fail(`cannot get first element from ${typeName(value)}`);
  }],
  ['last', (args) => {
    arity('last', args, 1);
    const value = args[0]!;
    if (isArray(value)) return value[value.length - 1] ?? null;
    if (typeof value === 'string') return value === '' ? null : fetch(value, -1n);
    return value === null ? null : fail(`cannot get last element from ${typeName(value)}`);
  }],
  ['get', (args) => {
    arity('get', args, 2);
    const [from, key] = [args[0]!, args[1]!];
    if (from === null) return null;
    if (from instanceof ValueMap) return typeof key === 'string' && from.entries.has(key) ? from.entries.get(key)! : null;
    if (isArray(from) || typeof from === 'string') {
      if (!isNumber(key)) return fail(`cannot get ${formatValue(key)} from ${typeName(from)}: the index must be a number`);
      try {
        return fetch(from, key);
      } catch {
        return null; // out of range: get answers nil where indexing fails
      }
    }
    return fail(`cannot get ${formatValue(key)} from ${typeName(from)}`);
  }],
  ['take', (args) => {
    arity('take', args, 2);
    const items = list('take', args[0]);
    const count = int('take', args[1]);
    if (count < 0n) return fail(`cannot take ${count} elements`);
    return items.slice(0, Number(count > BigInt(items.length) ? BigInt(items.length) : count));
  }],
  ['keys', (args) => (arity('keys', args, 1), sortedKeys(map('keys', args[0])))],
  ['values', (args) => {
    arity('values', args, 1);
    const value = map('values', args[0]);
    return sortedKeys(value).map((key) => value.entries.get(key)!);
  }],
  ['toPairs', (args) => {
    arity('toPairs', args, 1);
    const value = map('toPairs', args[0]);
    return sortedKeys(value).map((key) => [key, value.entries.get(key)!]);
  }],
  ['fromPairs', (args) => {
    arity('fromPairs', args, 1);
    const entries = new Map<string, Value>();
    for (const pair of list('fromPairs', args[0])) {
      if (!isArray(pair)) return fail(`invalid pair ${formatValue(pair)}`);
      if (pair.length !== 2) return fail(`invalid pair length ${formatValue(pair)}`);
      // Maps here are keyed by text; a non-string key is kept by its %v form, which prints the same.
      const key = pair[0]!;
      entries.set(typeof key === 'string' ? key : formatValue(key), pair[1]!);
    }
    return new ValueMap(entries);
  }],
  ['reverse', (args) => (arity('reverse', args, 1), [...list('reverse', args[0])].reverse())],
  ['uniq', (args, context) => {
    arity('uniq', args, 1);
    const out: Value[] = [];
    for (const item of list('uniq', args[0])) {
      context.budget.charge(out.length + 1);
      if (!out.some((seen) => equal(seen, item))) out.push(item);
    }
    return out;
  }],
  ['concat', (args, context) => {
    arity('concat', args, 1, Infinity);
    return built(context, args.flatMap((arg) => list('concat', arg)), 'concat');
  }],
  ['flatten', (args, context) => {
    arity('flatten', args, 1);
    const out: Value[] = [];
    flattenInto(out, list('flatten', args[0]), 0);
    return built(context, out, 'flatten');
  }],
  ['sort', (args, context) => {
    arity('sort', args, 1, 2);
    const items = list('sort', args[0]);
    const order = args.length === 2 ? str('sort', args[1]) : 'asc';
    if (order !== 'asc' && order !== 'desc') return fail(`invalid order ${order}, expected asc or desc`);
    context.budget.charge(items.length * Math.max(1, Math.ceil(Math.log2(items.length + 1))));
    return sortValues(items, order === 'desc');
  }],
  ...([
    ['bitand', (x: bigint, y: bigint) => x & y],
    ['bitor', (x: bigint, y: bigint) => x | y],
    ['bitxor', (x: bigint, y: bigint) => x ^ y],
    ['bitnand', (x: bigint, y: bigint) => x & ~y],
    ['bitshl', (x: bigint, y: bigint) => x << y],
    ['bitshr', (x: bigint, y: bigint) => x >> y],
    ['bitushr', (x: bigint, y: bigint) => BigInt.asUintN(64, x) >> y],
  ] as const).map(([name, operation]): [string, Builtin] => [name, (args) => {
    arity(name, args, 2);
    const [x, y] = [int(name, args[0]), int(name, args[1])];
    if (name.startsWith('bits') || name === 'bitushr') {
      if (y < 0n) return fail(`invalid operation: negative shift count ${y} (type int)`);
      if (y > 64n) return wrapInt(name === 'bitshr' && x < 0n ? -1n : 0n);
    }
    return wrapInt(operation(x, y));
  }]),
  ['bitnot', (args) => (arity('bitnot', args, 1), wrapInt(~int('bitnot', args[0])))],

  // Tork's functions (internal/eval/funcs.go).
  ['sequence', (args, context) => {
    arity('sequence', args, 2);
    const [start, stop] = [int('sequence', args[0]), int('sequence', args[1])];
    if (start >= stop) return [];
    context.budget.items(stop - start, 'sequence');
    const out: Value[] = [];
    for (let value = start; value < stop; value += 1n) out.push(value);
    return out;
  }],
  ['randomInt', (args, context) => {
    if (args.length > 1) return fail(`invalid number of arguments for randomInt (expected 0 or 1, got ${args.length})`);
    if (args.length === 0) return randomBelow(context, 0x7fffffffffffffffn);
    const bound = args[0]!;
    if (bound === null) return fail('randomInt: not expecting nil argument');
    if (typeof bound !== 'bigint') return fail(`randomInt: invalid arg type ${typeName(bound)}`);
    if (bound <= 0n) return fail('randomInt: invalid argument to Intn (must be positive)');
    return randomBelow(context, bound);
  }],

  // Twerk's additions (research/twerk.md §1.6), with ASL-intrinsic semantics.
  ['contains', (args) => {
    arity('contains', args, 2);
    const [haystack, needle] = [args[0]!, args[1]!];
    if (typeof haystack === 'string') return haystack.includes(str('contains', needle));
    if (isArray(haystack)) return haystack.some((item) => equal(item, needle));
    if (haystack instanceof ValueMap) return typeof needle === 'string' && haystack.entries.has(needle);
    return fail(`invalid argument for contains (type ${typeName(haystack)})`);
  }],
  ['format', (args, context) => {
    arity('format', args, 1, Infinity);
    const template = str('format', args[0]);
    const pieces = template.split('{}');
    if (pieces.length - 1 !== args.length - 1) return fail(`format: the template has ${pieces.length - 1} placeholders but ${args.length - 1} arguments were given`);
    return text(context, pieces.map((piece, index) => piece + (index + 1 < args.length ? formatValue(args[index + 1]!) : '')).join(''), 'format');
  }],
  ['stringToJson', (args) => (arity('stringToJson', args, 1), fromJson('stringToJson', str('stringToJson', args[0])))],
  ['jsonToString', (args, context) => (arity('jsonToString', args, 1), toJson(context, args[0]!, ''))],
  ['array', (args) => [...args]],
  ['uuid', (args) => (arity('uuid', args, 0), crypto.randomUUID())],
  ['hash', (args) => {
    arity('hash', args, 1, 2);
    return hashHex('hash', str('hash', args[0]), args.length === 2 ? str('hash', args[1]) : 'sha256');
  }],
  ['base64Encode', (args, context) => (arity('base64Encode', args, 1), text(context, base64Encode(str('base64Encode', args[0])), 'base64Encode'))],
  ['base64Decode', (args) => (arity('base64Decode', args, 1), base64Decode('base64Decode', str('base64Decode', args[0])))],
  ['mathRandom', (args, context) => {
    arity('mathRandom', args, 2);
    const [low, high] = [int('mathRandom', args[0]), int('mathRandom', args[1])];
    if (low >= high) return fail('mathRandom: the start must be less than the end');
    return low + randomBelow(context, high - low);
  }],
  ...(['mathAdd', 'mathSub'] as const).map((name): [string, Builtin] => [name, (args) => {
    arity(name, args, 2);
    const [a, b] = [args[0]!, args[1]!];
    if (typeof a === 'bigint' && typeof b === 'bigint') return saturate(name === 'mathAdd' ? a + b : a - b);
    if (isNumber(a) && isNumber(b)) return name === 'mathAdd' ? Number(a) + Number(b) : Number(a) - Number(b);
    return fail(`invalid arguments for ${name} (types ${typeName(a)} and ${typeName(b)})`);
  }]),
  ['arrayPartition', (args, context) => {
    arity('arrayPartition', args, 2);
    const items = list('arrayPartition', args[0]);
    const size = int('arrayPartition', args[1]);
    if (size <= 0n) return fail('arrayPartition: the chunk size must be positive');
    const out: Value[] = [];
    for (let index = 0; index < items.length; index += Number(size)) out.push(items.slice(index, index + Number(size)));
    return built(context, out, 'arrayPartition');
  }],
  ['arrayContains', (args) => (arity('arrayContains', args, 2), list('arrayContains', args[0]).some((item) => equal(item, args[1]!)))],
  ['arrayRange', (args, context) => {
    arity('arrayRange', args, 3);
    const [start, end, step] = [int('arrayRange', args[0]), int('arrayRange', args[1]), int('arrayRange', args[2])];
    if (step === 0n) return fail('arrayRange: the step must not be zero');
    const count = end === start ? 1n : (end - start) / step >= 0n ? (end - start) / step + 1n : 0n;
    context.budget.items(count, 'arrayRange');
    const out: Value[] = [];
    for (let value = start; step > 0n ? value <= end : value >= end; value += step) out.push(value);
    return out;
  }],
  ['arrayLength', (args) => (arity('arrayLength', args, 1), BigInt(list('arrayLength', args[0]).length))],
  ['arrayUnique', (args, context) => {
    arity('arrayUnique', args, 1);
    const out: Value[] = [];
    for (const item of list('arrayUnique', args[0])) {
      context.budget.charge(out.length + 1);
      if (!out.some((seen) => equal(seen, item))) out.push(item);
    }
    return out;
  }],
]);

/** expr's time functions are not implemented: calling them is a clear error, not "unknown name". */
export const UNSUPPORTED_BUILTINS: ReadonlySet<string> = new Set(['now', 'duration', 'date', 'timezone']);

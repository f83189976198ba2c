/**
 * The operations expr-lang's VM performs on values (equality, ordering, arithmetic, member access),
 * with Go's semantics: 64-bit wrapping ints, `/` always float, `%` ints only, strings indexed by byte.
 * Failures throw EvaluationFailure, which the evaluator turns into an ExpressionError.
 */
import { compareGoStrings, formatValue } from './format.ts';
import { isNumber, ValueMap, wrapInt, type Value } from './value.ts';

export class EvaluationFailure extends Error {
  readonly kind: 'evaluation' | 'budget';
  constructor(message: string, kind: 'evaluation' | 'budget' = 'evaluation') {
    super(message);
    this.kind = kind;
  }
}

export function fail(message: string): never {
  throw new EvaluationFailure(message);
}

/** Go's name for a value's dynamic type, as expr prints it in error messages. */
export function typeName(value: Value): string {
  if (value === null) return '<nil>';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
  }
  return value instanceof ValueMap ? 'map[string]interface {}' : '[]interface {}';
}

export function equal(a: Value, b: Value): boolean {
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    return Number(a) === Number(b);
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof ValueMap || b instanceof ValueMap) {
    if (!(a instanceof ValueMap && b instanceof ValueMap) || a.entries.size !== b.entries.size) return false;
    for (const [key, value] of a.entries) {
      const other = b.entries.get(key);
      if (other === undefined || !equal(value, other)) return false;
    }
    return true;
  }
  return a.length === b.length && a.every((item, index) => equal(item, b[index] ?? null));
}

/** Ordering for `<`, `sort`, `sortBy`, `min`, `max`: numbers with numbers, strings with strings. */
export function compare(a: Value, b: Value, operator = '<'): number {
  if (isNumber(a) && isNumber(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareGoStrings(a, b);
  return fail(`invalid operation: ${operator} (mismatched types ${typeName(a)} and ${typeName(b)})`);
}

function mismatched(operator: string, a: Value, b: Value): never {
  return fail(`invalid operation: ${operator} (mismatched types ${typeName(a)} and ${typeName(b)})`);
}

export function arithmetic(operator: string, a: Value, b: Value): Value {
  if (operator === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (!isNumber(a) || !isNumber(b)) return mismatched(operator, a, b);
  const ints = typeof a === 'bigint' && typeof b === 'bigint';
  switch (operator) {
    case '+':
      return ints ? wrapInt(a + b) : Number(a) + Number(b);
    case '-':
      return ints ? wrapInt(a - b) : Number(a) - Number(b);
    case '*':
      return ints ? wrapInt(a * b) : Number(a) * Number(b);
    case '/':
      return Number(a) / Number(b);
    case '%':
      if (!ints) return mismatched(operator, a, b);
      if (b === 0n) return fail('integer divide by zero');
      return wrapInt(a % b);
    case '**':
    case '^':
      return Number(a) ** Number(b);
    default:
      return fail(`unknown operator ${operator}`);
  }
}

/** Go's runtime.ToInt: ints as they are, floats truncated toward zero. */
export function toInt(value: Value, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return wrapInt(BigInt(Math.trunc(value)));
  return fail(`${what} must be an integer, not ${typeName(value)}`);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `a[i]`: maps by key (missing → the map's zero value), arrays and strings by index (negative from the end). */
export function fetch(object: Value, key: Value): Value {
  if (object === null) return fail(`cannot fetch ${formatValue(key)} from <nil>`);
  if (object instanceof ValueMap) {
    if (typeof key !== 'string') return fail(`cannot fetch ${formatValue(key)} from ${typeName(object)}: key must be a string`);
    return object.get(key);
  }
  if (Array.isArray(object) || typeof object === 'string') {
    if (!isNumber(key)) return fail(`cannot fetch ${formatValue(key)} from ${typeName(object)}`);
    const items: ArrayLike<Value | number> = typeof object === 'string' ? utf8Bytes(object) : (object as readonly Value[]);
    let index = toInt(key, 'index');
    const length = BigInt(items.length);
    if (index < 0n) index += length;
    if (index < 0n || index >= length) return fail(`index out of range: ${index} (array length is ${length})`);
    const item = items[Number(index)]!;
    return typeof item === 'number' && typeof object === 'string' ? BigInt(item) : (item as Value);
  }
  return fail(`cannot fetch ${formatValue(key)} from ${typeName(object)}`);
}

export function slice(object: Value, from: Value | undefined, to: Value | undefined): Value {
  if (!(Array.isArray(object) || typeof object === 'string')) return fail(`cannot slice ${typeName(object)}`);
  const bytes = typeof object === 'string' ? utf8Bytes(object) : undefined;
  const length = bytes ? bytes.length : (object as readonly Value[]).length;
  const clamp = (value: Value | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    let index = Number(toInt(value, 'slice index'));
    if (index < 0) index += length;
    return Math.min(Math.max(index, 0), length);
  };
  const end = clamp(to, length);
  const start = Math.min(clamp(from, 0), end);
  return bytes ? fromUtf8(bytes.slice(start, end)) : (object as readonly Value[]).slice(start, end);
}

export function membership(needle: Value, haystack: Value): boolean {
  if (haystack === null) return false;
  if (Array.isArray(haystack)) return haystack.some((item: Value) => equal(item, needle));
  if (haystack instanceof ValueMap) {
    if (typeof needle !== 'string') return fail(`cannot look up ${typeName(needle)} ${formatValue(needle)} in ${typeName(haystack)}: keys are strings`);
    return haystack.entries.has(needle);
  }
  return fail(`operator "in" not defined on ${typeName(haystack)}`);
}

export function truth(value: Value, where: string): boolean {
  if (typeof value === 'boolean') return value;
  return fail(`${where} must be a bool, not ${typeName(value)}`);
}

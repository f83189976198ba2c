/**
 * The values expressions compute with, mirroring the Go types expr-lang sees in Tork: integers are Go
 * `int` (64-bit, wrapping — kept as `bigint` so 2^53 and beyond stay exact), floats are `float64`
 * (`number`), and maps remember their zero value, because a missing key of Tork's `map[string]string`
 * contexts (`inputs`, `secrets`, `tasks`, `job`) yields `""` while a missing key of a JSON map yields nil.
 */
export type Value = null | boolean | bigint | number | string | readonly Value[] | ValueMap;

export class ValueMap {
  readonly entries: ReadonlyMap<string, Value>;
  /** What reading a missing key gives: `""` for Go string maps, `null` (nil) for `map[string]any`. */
  readonly zero: Value;

  constructor(entries: ReadonlyMap<string, Value>, zero: Value = null) {
    this.entries = entries;
    this.zero = zero;
  }

  get(key: string): Value {
    const value = this.entries.get(key);
    return value === undefined ? this.zero : value;
  }
}

export type ValueKind = 'nil' | 'bool' | 'int' | 'float' | 'string' | 'array' | 'map';

export function kindOf(value: Value): ValueKind {
  if (value === null) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    default:
      return value instanceof ValueMap ? 'map' : 'array';
  }
}

export function isArray(value: Value): value is readonly Value[] {
  return Array.isArray(value);
}

export function isNumber(value: Value): value is bigint | number {
  return typeof value === 'bigint' || typeof value === 'number';
}

/** Go's int is 64-bit two's complement: arithmetic wraps instead of growing. */
export function wrapInt(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/** A Go `map[string]string`: every missing key reads as `""`, as in Tork's job context. */
export function stringMap(record: Readonly<Record<string, string>> | undefined): ValueMap {
  const entries = new Map<string, Value>();
  for (const [key, value] of Object.entries(record ?? {})) entries.set(key, value);
  return new ValueMap(entries, '');
}

export interface ToValueOptions {
  /** How JS numbers that are whole become values: Go ints (`'auto'`, the default) or float64 like JSON. */
  readonly numbers?: 'auto' | 'float';
}

const MAX_CONVERSION_DEPTH = 512;

/**
 * Converts plain JS data (parsed YAML/JSON, SDK objects) into a Value. Anything that is not data
 * (functions, symbols, undefined inside arrays) becomes nil rather than leaking into evaluation.
 */
export function toValue(input: unknown, options: ToValueOptions = {}, depth = 0): Value {
  if (depth > MAX_CONVERSION_DEPTH) throw new RangeError('value is nested too deeply');
  if (input === null || input === undefined) return null;
  switch (typeof input) {
    case 'boolean':
    case 'bigint':
    case 'string':
      return input;
    case 'number':
      return options.numbers !== 'float' && Number.isSafeInteger(input) ? BigInt(input) : input;
    case 'object': {
      if (input instanceof ValueMap) return input;
      if (Array.isArray(input)) return input.map((item) => toValue(item, options, depth + 1));
      if (input instanceof Map) {
        const entries = new Map<string, Value>();
        for (const [key, value] of input) entries.set(String(key), toValue(value, options, depth + 1));
        return new ValueMap(entries);
      }
      const entries = new Map<string, Value>();
      for (const [key, value] of Object.entries(input)) entries.set(key, toValue(value, options, depth + 1));
      return new ValueMap(entries);
    }
    default:
      return null;
  }
}

/** JSON-compatible data for callers outside the evaluator (ints outside ±2^53 lose precision). */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

export function fromValue(value: Value): PlainValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof ValueMap) {
    const out: { [key: string]: PlainValue } = {};
    for (const [key, item] of value.entries) Object.defineProperty(out, key, { value: fromValue(item), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value.map(fromValue);
}

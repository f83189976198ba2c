/**
 * Text forms of values, byte-for-byte as Tork produces them: templates splice results in with Go's
 * `fmt.Sprintf("%v")`, and `toJSON` is Go's `json.MarshalIndent(v, "", "  ")`.
 */
import { ValueMap, type Value } from './value.ts';

/**
 * Go's %v for a float64 (strconv 'g' with shortest precision): the shortest digits that round-trip, in
 * exponent form when the decimal exponent is below -4 or at least 6 (`1e+06`, `1e-05`), `+Inf`, `NaN`.
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  // Between those bounds JS and Go agree on plain decimal notation of the shortest digits.
  return String(value);
}

/** Go's `fmt.Sprintf("%v", value)`. Map keys print sorted, as Go's fmt sorts them. */
export function formatValue(value: Value): string {
  if (value === null) return '<nil>';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'number':
      return formatGoFloat(value);
  }
  if (value instanceof ValueMap) {
    const keys = [...value.entries.keys()].sort(compareGoStrings);
    return `map[${keys.map((key) => `${key}:${formatValue(value.entries.get(key) ?? null)}`).join(' ')}]`;
  }
  return `[${value.map(formatValue).join(' ')}]`;
}

/** Go compares strings bytewise (UTF-8), which for code points is code-point order, not UTF-16 order. */
export function compareGoStrings(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const x = left[index]!.codePointAt(0)!;
    const y = right[index]!.codePointAt(0)!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** Go's encoding/json escapes HTML-significant characters and the JS line separators. */
function quoteGoJsonString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class JsonEncodeError extends Error {}

/** Go's `json.MarshalIndent(value, "", indent)`; `indent === ''` gives `json.Marshal`'s compact form. */
export function toGoJson(value: Value, indent = '  ', depth = 0): string {
  if (depth > 512) throw new JsonEncodeError('json: value is nested too deeply');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quoteGoJsonString(value);
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'number':
      if (!Number.isFinite(value)) throw new JsonEncodeError(`json: unsupported value: ${formatGoFloat(value)}`);
      return Object.is(value, -0) ? '-0' : String(value);
  }
  const newline = indent === '' ? '' : `\n${indent.repeat(depth + 1)}`;
  const closing = indent === '' ? '' : `\n${indent.repeat(depth)}`;
  const separator = indent === '' ? ':' : ': ';
  if (value instanceof ValueMap) {
    if (value.entries.size === 0) return '{}';
    const keys = [...value.entries.keys()].sort(compareGoStrings);
    const members = keys.map((key) => `${newline}${quoteGoJsonString(key)}${separator}${toGoJson(value.entries.get(key) ?? null, indent, depth + 1)}`);
    return `{${members.join(',')}${closing}}`;
  }
  if (value.length === 0) return '[]';
  return `[${value.map((item) => `${newline}${toGoJson(item, indent, depth + 1)}`).join(',')}${closing}]`;
}

/**
 * Go duration strings (`90s`, `1h30m`, `1.5h`, `100ms`), the syntax Tork documents for `timeout`,
 * `autoDelete.after`, retry delays and probes. Parsed exactly like Go's `time.ParseDuration`, so a
 * document valid for Tork is valid here and means the same.
 */
import { err, ok, type Result } from '../result.ts';

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NANOS = 2n ** 63n - 1n;
const COMPONENT = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/u;

/** A duration in nanoseconds (Go's `time.Duration`), exact. */
export type Nanoseconds = bigint;

export function parseGoDuration(text: string): Result<Nanoseconds, string> {
  const invalid = err(`"${text}" is not a duration: use Go syntax such as "90s", "5m" or "1h30m"`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return ok(0n);
  if (rest === '') return invalid;
  let total = 0n;
  while (rest !== '') {
    const match = COMPONENT.exec(rest);
    if (!match) {
      return /^[\d.]+$/.test(rest) ? err(`"${text}" is missing a unit: use ns, us, ms, s, m or h (e.g. "${rest}s")`) : invalid;
    }
    const [whole, integerDigits = '', fractionDigits, unit = ''] = match;
    if (integerDigits === '' && (fractionDigits === undefined || fractionDigits === '')) return invalid;
    const scale = NANOS_PER_UNIT[unit];
    if (scale === undefined) return err(`"${text}" has an unknown unit "${unit}": use ns, us, ms, s, m or h`);
    let nanos = BigInt(integerDigits || '0') * scale;
    if (fractionDigits) {
      // Exact fractional part: digits × scale / 10^digits, truncated like Go.
      nanos += (BigInt(fractionDigits) * scale) / 10n ** BigInt(fractionDigits.length);
    }
    total += nanos;
    if (total > MAX_NANOS) return err(`"${text}" is too long: durations are limited to about 292 years`);
    rest = rest.slice(whole.length);
  }
  return ok(negative ? -total : total);
}

export function nanosToMillis(nanos: Nanoseconds): number {
  return Number(nanos) / 1e6;
}

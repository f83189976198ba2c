/**
 * Cron schedules for scheduled jobs and cron triggers: the 5-field standard form (`0/5 * * * *`), a
 * 6-field form with seconds first (`*\/10 * * * * *`), robfig/cron's descriptors (`@daily`,
 * `@every 90s`) and an optional `CRON_TZ=Area/City` (or `TZ=`) prefix. Parsing yields the set of
 * allowed values per field, which the scheduler uses to compute firing times.
 */
import { err, ok, type Result } from '../result.ts';
import { parseGoDuration, type Nanoseconds } from './duration.ts';

export interface CronFields {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  /** 0 = Sunday. */
  readonly daysOfWeek: readonly number[];
  /**
   * Like robfig/cron and Vixie cron: when both day fields are restricted, a day matches if either
   * matches; when one of them is `*` or `?`, both must match.
   */
  readonly dayOfMonthIsWildcard: boolean;
  readonly dayOfWeekIsWildcard: boolean;
}

export type CronSpec =
  | ({ readonly kind: 'fields'; readonly timezone: string | undefined } & CronFields)
  | { readonly kind: 'every'; readonly interval: Nanoseconds; readonly timezone: string | undefined };

interface FieldRange {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const SECOND: FieldRange = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldRange = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldRange = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRange = { name: 'day of month', min: 1, max: 31 };
const MONTH: FieldRange = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['', 'jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
};
// 7 is accepted as Sunday, as most crons do; it folds onto 0 after parsing.
const DAY_OF_WEEK: FieldRange = { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const TIMEZONE_PREFIX = /^(?:CRON_TZ|TZ)=(\S+)\s+/;

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function parseCron(expression: string, timezone?: string): Result<CronSpec, string> {
  let text = expression.trim();
  let zone = timezone;
  const prefix = TIMEZONE_PREFIX.exec(text);
  if (prefix) {
    if (zone !== undefined && zone !== prefix[1]) {
      return err(`names two time zones: "${prefix[1]}" in the expression and "${zone}" beside it`);
    }
    zone = prefix[1];
    text = text.slice(prefix[0].length);
  }
  if (zone !== undefined && !isValidTimeZone(zone)) return err(`"${zone}" is not an IANA time zone (e.g. "Europe/Paris", "UTC")`);
  if (text === '') return err('is empty: expected 5 fields (minute hour day-of-month month day-of-week), 6 with seconds, or a descriptor like "@daily"');

  if (text.startsWith('@every')) {
    const interval = parseGoDuration(text.slice('@every'.length).trim());
    if (!interval.ok) return err(`@every needs a duration: ${interval.error}`);
    if (interval.value < 1_000_000_000n) return err('@every must be at least one second');
    return ok({ kind: 'every', interval: interval.value, timezone: zone });
  }
  if (text.startsWith('@')) {
    const fields = DESCRIPTORS[text.toLowerCase()];
    if (fields === undefined) return err(`unknown descriptor "${text}": use ${[...Object.keys(DESCRIPTORS), '@every <duration>'].join(', ')}`);
    text = fields;
  }

  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    return err(`has ${parts.length} field${parts.length === 1 ? '' : 's'}: expected 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)`);
  }
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = parts.length === 6 ? parts : ['0', ...parts];
  const parsed = {
    seconds: parseField(second ?? '', SECOND),
    minutes: parseField(minute ?? '', MINUTE),
    hours: parseField(hour ?? '', HOUR),
    daysOfMonth: parseField(dayOfMonth ?? '', DAY_OF_MONTH),
    months: parseField(month ?? '', MONTH),
    daysOfWeek: parseField(dayOfWeek ?? '', DAY_OF_WEEK),
  };
  for (const field of Object.values(parsed)) if (!field.ok) return field;
  const values = (field: Result<readonly number[], string>): readonly number[] => (field.ok ? field.value : []);
  return ok({
    kind: 'fields',
    timezone: zone,
    seconds: values(parsed.seconds),
    minutes: values(parsed.minutes),
    hours: values(parsed.hours),
    daysOfMonth: values(parsed.daysOfMonth),
    months: values(parsed.months),
    daysOfWeek: [...new Set(values(parsed.daysOfWeek).map((day) => day % 7))].sort((a, b) => a - b),
    dayOfMonthIsWildcard: isWildcard(dayOfMonth ?? ''),
    dayOfWeekIsWildcard: isWildcard(dayOfWeek ?? ''),
  });
}

function isWildcard(field: string): boolean {
  return field.startsWith('*') || field === '?';
}

function parseField(field: string, range: FieldRange): Result<readonly number[], string> {
  const allowed = new Set<number>();
  for (const item of field.split(',')) {
    const values = parseItem(item, range);
    if (!values.ok) return values;
    for (const value of values.value) allowed.add(value);
  }
  return ok([...allowed].sort((a, b) => a - b));
}

/** One comma-separated item: `*`, `?`, `5`, `1-5`, `*\/15`, `10-40/5`, `5/15`, `MON-FRI`. */
function parseItem(item: string, range: FieldRange): Result<readonly number[], string> {
  const [base = '', stepText, ...extra] = item.split('/');
  if (extra.length > 0 || base === '') return err(`${range.name} "${item}" is not valid`);
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return err(`${range.name} step "${stepText}" must be a positive whole number`);
    step = Number(stepText);
  }
  let low: number;
  let high: number;
  if (base === '*' || base === '?') {
    if (base === '?' && range !== DAY_OF_MONTH && range !== DAY_OF_WEEK) return err(`"?" is only allowed in the day fields, not in ${range.name}`);
    low = range.min;
    high = range === DAY_OF_WEEK ? 6 : range.max;
  } else {
    const [first = '', last, ...more] = base.split('-');
    if (more.length > 0) return err(`${range.name} "${item}" is not valid`);
    const start = parseValue(first, range);
    if (!start.ok) return start;
    low = start.value;
    if (last !== undefined) {
      const end = parseValue(last, range);
      if (!end.ok) return end;
      high = end.value;
      if (high < low) return err(`${range.name} range "${base}" runs backwards`);
    } else {
      // `5/15` means "from 5, every 15" (robfig), a bare value means just that value.
      high = stepText !== undefined ? (range === DAY_OF_WEEK ? 6 : range.max) : low;
    }
  }
  const values: number[] = [];
  for (let value = low; value <= high; value += step) values.push(value);
  return ok(values);
}

function parseValue(text: string, range: FieldRange): Result<number, string> {
  const byName = range.names?.indexOf(text.toLowerCase()) ?? -1;
  if (byName > 0 || (byName === 0 && range.names?.[0] !== '')) return ok(byName);
  if (!/^\d+$/.test(text)) return err(`${range.name} "${text}" is not a number${range.names ? ' or a name' : ''}`);
  const value = Number(text);
  if (value < range.min || value > range.max) return err(`${range.name} ${value} is out of range ${range.min}-${range.max}`);
  return ok(value);
}

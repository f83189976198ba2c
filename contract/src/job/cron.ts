/**
 * Cron schedules for scheduled jobs and cron triggers: the 5-field standard form (`0/5 * * * *`), a
 * 6-field form with seconds first (`*\/10 * * * * *`), robfig/cron's descriptors (`@daily`,
 * `@every 90s`) and an optional `CRON_TZ=Area/City` (or `TZ=`) prefix. Parsing yields the set of
 * allowed values per field; `nextFiring` turns that into firing times in the schedule's time zone.
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

// ---------------------------------------------------------------------------------------------
// Firing times
// ---------------------------------------------------------------------------------------------

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
const NANOS_PER_SECOND = 1_000_000_000n;
/** The largest instant a `Date` can hold. */
const MAX_DATE_MS = 8.64e15;
/**
 * Wider than any UTC offset tzdata has ever used (local mean times reach ±15:57), so every instant
 * of a local day lies within this margin of its wall-clock midnight read as UTC.
 */
const MAX_OFFSET_MS = 16 * 3_600_000;
/**
 * How many years ahead `nextFiring` looks for a matching day before answering "never". 40 years is
 * the longest gap between two occurrences of one date on one weekday (Feb 29 on a Sunday: 2088,
 * then 2128, because 2100 is not a leap year), which an AND of day fields can demand; a shorter
 * bound would wrongly call such a spec dead. Only days of matching months are visited, with
 * arithmetic alone, so even an impossible spec (`0 0 30 2 *`) gives up in well under a millisecond.
 */
const SEARCH_YEARS = 40;

/**
 * The first firing time strictly after `after`, or undefined when the schedule never fires again
 * (e.g. Feb 30).
 *
 * - Resolution is whole seconds: the result has milliseconds 0 and a 5-field spec fires at second 0.
 * - Fields are read on the wall clock of `spec.timezone`. No time zone means UTC, not the host's
 *   zone: the server runs in UTC and a schedule must mean the same on every machine (`Z` and `UTC`
 *   also mean UTC).
 * - Day fields: when both are restricted a day matches either; when one is `*` or `?`, both must
 *   match (`dayOfMonthIsWildcard`, `dayOfWeekIsWildcard`; Vixie cron, robfig/cron).
 * - `@every d` fires at `after` truncated to the second plus `d` rounded down to whole seconds
 *   (robfig/cron), whatever the time zone: it measures elapsed time. A scheduler that passes the
 *   previous firing gets a steady cadence.
 * - Daylight saving time, for specs with an hour list ("fixed-hour", e.g. daily at 02:30) versus
 *   hour `*`:
 *   - a wall time that happens twice (autumn) fires once, on its first occurrence, for fixed-hour
 *     specs; specs with hour `*` fire in both passes, as elapsed time really does go by twice;
 *   - a wall time that never happens (spring) is skipped for specs with hour `*`, whose next
 *     matching time follows within the hour anyway; a fixed-hour spec instead fires once at the
 *     end of the gap (02:30 Paris on 2026-03-29 fires at 03:00 CEST), because skipping would
 *     silently drop a daily job's run for that day. This is cronie's behaviour for fixed-time jobs.
 *
 * Throws a RangeError when `after` is an invalid date or `spec.timezone` is not a time zone.
 */
export function nextFiring(spec: CronSpec, after: Date): Date | undefined {
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) throw new RangeError('nextFiring needs a valid date');
  const lastSecond = Math.floor(afterMs / SECOND_MS) * SECOND_MS;
  if (spec.kind === 'every') return dateOrUndefined(lastSecond + everyStepMs(spec.interval));

  const matcher = compileMatcher(spec);
  if (matcher === undefined) return undefined;
  const zone = zoneFor(spec.timezone);
  const notBefore = lastSecond + SECOND_MS;
  // Start one local day early: when clocks fall back across midnight (America/St_Johns until 2011)
  // the previous day's last hour comes round again after the new day has begun.
  const firstDay = wallClockMidnight(notBefore + zone.offsetAt(notBefore)) - DAY_MS;

  // A firing found on a day whose offset changes may be beaten by one on the next day, since
  // around a fall-back the two days' wall times interleave. On a regular day it is final.
  let pending: number | undefined;
  for (const day of matchingDays(matcher, firstDay)) {
    const layout = layOutDay(zone, day, matcher.everyHour);
    const firing = firstFiringOnDay(matcher, day, layout, notBefore);
    if (pending !== undefined) return dateOrUndefined(firing === undefined ? pending : Math.min(pending, firing));
    if (firing === undefined) continue;
    if (layout.regular) return dateOrUndefined(firing);
    pending = firing;
  }
  return pending === undefined ? undefined : dateOrUndefined(pending);
}

/** The firings in (`from`, `to`], oldest first, at most `limit` of them. */
export function firingsBetween(spec: CronSpec, from: Date, to: Date, limit: number): Date[] {
  const firings: Date[] = [];
  let cursor = from;
  while (firings.length < limit) {
    const next = nextFiring(spec, cursor);
    if (next === undefined || next.getTime() > to.getTime()) break;
    firings.push(next);
    cursor = next;
  }
  return firings;
}

function dateOrUndefined(ms: number): Date | undefined {
  return Math.abs(ms) <= MAX_DATE_MS ? new Date(ms) : undefined;
}

/** robfig/cron rounds an `@every` interval down to whole seconds, and never below one. */
function everyStepMs(interval: Nanoseconds): number {
  const seconds = interval / NANOS_PER_SECOND;
  return (seconds < 1n ? 1 : Number(seconds)) * SECOND_MS;
}

/** A fields spec prepared for matching: sorted value lists and lookup sets. */
interface Matcher {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Both day fields restricted: a day matches either (otherwise both). */
  readonly eitherDayField: boolean;
  /** Hour `*`: DST gaps are skipped and repeated hours fire twice (see `nextFiring`). */
  readonly everyHour: boolean;
}

/** Undefined when a field allows no value at all, so the spec can never fire. */
function compileMatcher(spec: CronFields): Matcher | undefined {
  const sorted = (values: readonly number[]): number[] => [...new Set(values)].sort((a, b) => a - b);
  const matcher: Matcher = {
    seconds: sorted(spec.seconds),
    minutes: sorted(spec.minutes),
    hours: sorted(spec.hours),
    months: new Set(spec.months),
    daysOfMonth: new Set(spec.daysOfMonth),
    daysOfWeek: new Set(spec.daysOfWeek.map((day) => day % 7)),
    eitherDayField: !spec.dayOfMonthIsWildcard && !spec.dayOfWeekIsWildcard,
    everyHour: new Set(spec.hours).size === 24,
  };
  const empty = [matcher.seconds.length, matcher.minutes.length, matcher.hours.length, matcher.months.size, matcher.daysOfMonth.size, matcher.daysOfWeek.size];
  return empty.includes(0) ? undefined : matcher;
}

function dayMatches(matcher: Matcher, dayOfMonth: number, dayOfWeek: number): boolean {
  const byMonthDay = matcher.daysOfMonth.has(dayOfMonth);
  const byWeekday = matcher.daysOfWeek.has(dayOfWeek);
  return matcher.eitherDayField ? byMonthDay || byWeekday : byMonthDay && byWeekday;
}

/**
 * Wall-clock midnights (as UTC milliseconds) of the days matching the month and day fields, from
 * `firstDay` on for SEARCH_YEARS years. Months outside the spec are skipped whole.
 */
function* matchingDays(matcher: Matcher, firstDay: number): Generator<number> {
  const firstYear = new Date(firstDay).getUTCFullYear();
  for (let year = firstYear; year <= firstYear + SEARCH_YEARS; year++) {
    for (let month = 1; month <= 12; month++) {
      if (!matcher.months.has(month)) continue;
      const monthStart = Date.UTC(year, month - 1, 1);
      const length = daysInMonth(year, month);
      if (monthStart + length * DAY_MS <= firstDay) continue;
      const firstWeekday = new Date(monthStart).getUTCDay();
      for (let dayOfMonth = 1; dayOfMonth <= length; dayOfMonth++) {
        const midnight = monthStart + (dayOfMonth - 1) * DAY_MS;
        if (midnight >= firstDay && dayMatches(matcher, dayOfMonth, (firstWeekday + dayOfMonth - 1) % 7)) yield midnight;
      }
    }
  }
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function wallClockMidnight(wallClock: number): number {
  return Math.floor(wallClock / DAY_MS) * DAY_MS;
}

/**
 * A stretch of one local day's wall clock, `[from, to)` in wall-clock milliseconds. Its times
 * either map to instants through one UTC offset, or (a DST gap, for fixed-hour specs) all fire at
 * the single instant the gap ends.
 */
type Stretch = { readonly from: number; readonly to: number } & ({ readonly offset: number } | { readonly firesAt: number });

interface DayLayout {
  /** In the order of the instants they cover. */
  readonly stretches: readonly Stretch[];
  /** No offset change anywhere near the day. */
  readonly regular: boolean;
}

/**
 * How the wall-clock day starting at `day` maps to instants. Assumes at most one offset change in
 * the 56 hours around the day, which holds for every real zone.
 */
function layOutDay(zone: Zone, day: number, everyHour: boolean): DayLayout {
  const dayEnd = day + DAY_MS;
  const { before, after, change } = offsetsAround(zone, day);
  if (before === after) return { stretches: [{ from: day, to: dayEnd, offset: before }], regular: true };

  const stretches: Stretch[] = [{ from: day, to: Math.min(dayEnd, change + before), offset: before }];
  if (after > before) {
    // Spring forward: wall times [change + before, change + after) never happen.
    if (!everyHour) stretches.push({ from: Math.max(day, change + before), to: Math.min(dayEnd, change + after), firesAt: change });
    stretches.push({ from: Math.max(day, change + after), to: dayEnd, offset: after });
  } else {
    // Fall back: wall times [change + after, change + before) happen twice; fixed-hour specs
    // already had their chance on the first pass.
    const repeatFrom = everyHour ? change + after : change + before;
    stretches.push({ from: Math.max(day, repeatFrom), to: dayEnd, offset: after });
  }
  return { stretches: stretches.filter((stretch) => stretch.from < stretch.to), regular: false };
}

/** The offsets in force just before and just after a wall-clock day, and the instant they change. */
interface DayOffsets {
  readonly before: number;
  readonly after: number;
  /** The first instant with offset `after`; meaningless when the offsets are equal. */
  readonly change: number;
}

/**
 * Memoized per zone: a scheduler, or `firingsBetween`, asks about the same few days over and over,
 * and bisecting a change costs some twenty time-zone lookups.
 */
function offsetsAround(zone: Zone, day: number): DayOffsets {
  const known = zone.days.get(day);
  if (known !== undefined) return known;
  const earliest = day - MAX_OFFSET_MS;
  const latest = day + DAY_MS + MAX_OFFSET_MS;
  const before = zone.offsetAt(earliest);
  const after = zone.offsetAt(latest);
  const offsets = { before, after, change: before === after ? latest : findOffsetChange(zone, earliest, latest, before) };
  if (zone.days.size >= MEMOIZED_DAYS) zone.days.clear();
  zone.days.set(day, offsets);
  return offsets;
}

/** The first instant in (`low`, `high`] whose offset is not `lowOffset`, to the second, by bisection. */
function findOffsetChange(zone: Zone, low: number, high: number, lowOffset: number): number {
  let unchanged = low;
  let changed = high;
  while (changed - unchanged > SECOND_MS) {
    const middle = unchanged + Math.floor((changed - unchanged) / 2 / SECOND_MS) * SECOND_MS;
    if (zone.offsetAt(middle) === lowOffset) unchanged = middle;
    else changed = middle;
  }
  return changed;
}

function firstFiringOnDay(matcher: Matcher, day: number, layout: DayLayout, notBefore: number): number | undefined {
  for (const stretch of layout.stretches) {
    if ('firesAt' in stretch) {
      if (stretch.firesAt >= notBefore && firstMatchingWallClock(matcher, day, stretch.from, stretch.to) !== undefined) return stretch.firesAt;
      continue;
    }
    const from = Math.max(stretch.from, notBefore + stretch.offset);
    const wallClock = firstMatchingWallClock(matcher, day, from, stretch.to);
    if (wallClock !== undefined) return wallClock - stretch.offset;
  }
  return undefined;
}

/** The first wall-clock time in [`from`, `to`) of `day` whose hour, minute and second match. */
function firstMatchingWallClock(matcher: Matcher, day: number, from: number, to: number): number | undefined {
  if (from >= to) return undefined;
  const seconds = firstMatchingTimeOfDay(matcher, Math.max(0, Math.ceil((from - day) / SECOND_MS)));
  if (seconds === undefined) return undefined;
  const wallClock = day + seconds * SECOND_MS;
  return wallClock < to ? wallClock : undefined;
}

/**
 * The first second of the day at or after `from` (seconds since midnight) that matches, skipping
 * by hour, then minute, then second.
 */
function firstMatchingTimeOfDay(matcher: Matcher, from: number): number | undefined {
  const hour = Math.floor(from / 3600);
  const minute = Math.floor((from % 3600) / 60);
  const second = from % 60;
  const firstMinute = matcher.minutes[0] ?? 0;
  const firstSecond = matcher.seconds[0] ?? 0;
  for (const h of matcher.hours) {
    if (h < hour) continue;
    if (h > hour) return h * 3600 + firstMinute * 60 + firstSecond;
    for (const m of matcher.minutes) {
      if (m < minute) continue;
      if (m > minute) return h * 3600 + m * 60 + firstSecond;
      const s = matcher.seconds.find((value) => value >= second);
      if (s !== undefined) return h * 3600 + m * 60 + s;
    }
  }
  return undefined;
}

interface Zone {
  /** Wall clock minus UTC, in milliseconds, at an instant. */
  offsetAt(instant: number): number;
  /** Memo of `offsetsAround`, by wall-clock midnight. */
  readonly days: Map<number, DayOffsets>;
}

const MEMOIZED_DAYS = 1024;
const UTC_ZONE: Zone = { offsetAt: () => 0, days: new Map() };
const zones = new Map<string, Zone>();

function zoneFor(timezone: string | undefined): Zone {
  if (timezone === undefined || /^(?:z|utc)$/i.test(timezone)) return UTC_ZONE;
  let zone = zones.get(timezone);
  if (zone === undefined) {
    zone = intlZone(timezone);
    zones.set(timezone, zone);
  }
  return zone;
}

function intlZone(timezone: string): Zone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return {
    days: new Map(),
    offsetAt(instant) {
      const fields: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
      for (const part of format.formatToParts(instant)) fields[part.type] = Number(part.value);
      const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
      // Intl prints whole seconds, so compare with the instant's whole second.
      return Date.UTC(year, month - 1, day, hour % 24, minute, second) - Math.floor(instant / SECOND_MS) * SECOND_MS;
    },
  };
}

import { describe, expect, it } from 'vitest';
import { firingsBetween, nextFiring, parseCron, type CronSpec } from './cron.ts';

function spec(expression: string, timezone?: string): CronSpec {
  const result = parseCron(expression, timezone);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** The next firing as an ISO string, or undefined. */
function next(expression: string, after: string, timezone?: string): string | undefined {
  return nextFiring(spec(expression, timezone), new Date(after))?.toISOString();
}

/** The first `count` firings after `after`, as ISO strings. */
function firings(expression: string, after: string, count: number, timezone?: string): string[] {
  const schedule = spec(expression, timezone);
  const found: string[] = [];
  let cursor = new Date(after);
  for (let i = 0; i < count; i++) {
    const firing = nextFiring(schedule, cursor);
    if (firing === undefined) break;
    found.push(firing.toISOString());
    cursor = firing;
  }
  return found;
}

describe('nextFiring with seconds', () => {
  it('fires every second, strictly after', () => {
    expect(firings('* * * * * *', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:00:01.000Z',
      '2026-01-01T00:00:02.000Z',
      '2026-01-01T00:00:03.000Z',
    ]);
    expect(next('* * * * * *', '2026-12-31T23:59:59Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('fires every 10 seconds and rolls over the minute', () => {
    expect(next('*/10 * * * * *', '2026-01-01T00:00:05Z')).toBe('2026-01-01T00:00:10.000Z');
    expect(next('*/10 * * * * *', '2026-01-01T00:00:10Z')).toBe('2026-01-01T00:00:20.000Z');
    expect(next('*/10 * * * * *', '2026-01-01T00:00:50Z')).toBe('2026-01-01T00:01:00.000Z');
    expect(next('15,45 30 12 * * *', '2026-01-01T12:30:45Z')).toBe('2026-01-02T12:30:15.000Z');
  });

  it('ignores the milliseconds of `after` and returns whole seconds', () => {
    expect(next('* * * * * *', '2026-01-01T00:00:00.500Z')).toBe('2026-01-01T00:00:01.000Z');
    expect(next('* * * * * *', '2026-01-01T00:00:00.999Z')).toBe('2026-01-01T00:00:01.000Z');
    expect(next('* * * * *', '2026-01-01T00:00:59.999Z')).toBe('2026-01-01T00:01:00.000Z');
    expect(next('* * * * *', '2026-01-01T00:01:00.001Z')).toBe('2026-01-01T00:02:00.000Z');
  });
});

describe('nextFiring with five fields', () => {
  it('fires at second 0 on steps', () => {
    expect(firings('0/5 * * * *', '2026-01-01T00:03:30Z', 3)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:10:00.000Z',
      '2026-01-01T00:15:00.000Z',
    ]);
  });

  it('skips to the next hour, day and weekday with ranges and names', () => {
    // 2026-01-02 is a Friday.
    expect(firings('*/20 9-17 * * MON-FRI', '2026-01-02T17:30:00Z', 3)).toEqual([
      '2026-01-02T17:40:00.000Z',
      '2026-01-05T09:00:00.000Z',
      '2026-01-05T09:20:00.000Z',
    ]);
    expect(next('0 12 1 JAN,JUL *', '2026-01-01T12:00:00Z')).toBe('2026-07-01T12:00:00.000Z');
    expect(next('30 6 * * sun', '2026-01-01T00:00:00Z')).toBe('2026-01-04T06:30:00.000Z');
    expect(next('30 6 * * 7', '2026-01-04T06:30:00Z')).toBe('2026-01-11T06:30:00.000Z');
  });

  it('rolls over the year', () => {
    expect(next('59 23 31 12 *', '2026-12-31T23:59:00Z')).toBe('2027-12-31T23:59:00.000Z');
    expect(next('0 0 1 1 *', '2026-06-15T08:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('nextFiring day fields', () => {
  it('fires on either day field when both are restricted', () => {
    // The 13th, or any Friday (2026-02-06, 13 and 20 are Fridays; 2026-03-13 too).
    expect(firings('0 0 13 * 5', '2026-02-01T00:00:00Z', 4)).toEqual([
      '2026-02-06T00:00:00.000Z',
      '2026-02-13T00:00:00.000Z',
      '2026-02-20T00:00:00.000Z',
      '2026-02-27T00:00:00.000Z',
    ]);
    expect(firings('0 0 1 * MON', '2026-05-30T00:00:00Z', 2)).toEqual(['2026-06-01T00:00:00.000Z', '2026-06-08T00:00:00.000Z']);
  });

  it('needs both day fields when one is * or ?', () => {
    expect(firings('0 0 ? * FRI', '2026-02-01T00:00:00Z', 2)).toEqual(['2026-02-06T00:00:00.000Z', '2026-02-13T00:00:00.000Z']);
    expect(firings('0 0 13 * ?', '2026-02-01T00:00:00Z', 2)).toEqual(['2026-02-13T00:00:00.000Z', '2026-03-13T00:00:00.000Z']);
    // `*/10` starts with `*`, so it is a wildcard for the OR/AND rule: the 1st, 11th, 21st or 31st
    // that is also a Friday. The first in 2026 is May 1.
    expect(next('0 0 */10 * FRI', '2026-01-01T00:00:00Z')).toBe('2026-05-01T00:00:00.000Z');
  });
});

describe('nextFiring month ends and leap years', () => {
  it('skips months without the day', () => {
    expect(firings('0 0 31 * *', '2026-01-31T12:00:00Z', 3)).toEqual([
      '2026-03-31T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
      '2026-07-31T00:00:00.000Z',
    ]);
    expect(next('0 0 30 * *', '2026-01-30T00:00:00Z')).toBe('2026-03-30T00:00:00.000Z');
  });

  it('finds Feb 29 in the next leap year, skipping 2100', () => {
    expect(next('0 0 29 2 *', '2026-01-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2028-02-29T00:00:00Z')).toBe('2032-02-29T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2096-03-01T00:00:00Z')).toBe('2104-02-29T00:00:00.000Z');
  });

  it('finds a Sunday Feb 29 across the 40-year gap of 2100', () => {
    // `*/7` in day of week is Sunday alone but counts as a wildcard, so both day fields must match.
    expect(next('0 0 29 2 */7', '2026-01-01T00:00:00Z')).toBe('2032-02-29T00:00:00.000Z');
    expect(next('0 0 29 2 */7', '2088-02-29T00:00:00Z')).toBe('2128-02-29T00:00:00.000Z');
  });

  it('returns undefined for dates that never happen', () => {
    expect(next('0 0 30 2 *', '2026-01-01T00:00:00Z')).toBeUndefined();
    expect(next('0 0 31 4,6,9,11 *', '2026-01-01T00:00:00Z')).toBeUndefined();
    expect(next('* * * 30 2 *', '2026-01-01T00:00:00Z', 'Europe/Paris')).toBeUndefined();
  });
});

describe('nextFiring descriptors', () => {
  it.each([
    ['@yearly', '2027-01-01T00:00:00.000Z'],
    ['@annually', '2027-01-01T00:00:00.000Z'],
    ['@monthly', '2026-07-01T00:00:00.000Z'],
    // 2026-06-15 is a Monday.
    ['@weekly', '2026-06-21T00:00:00.000Z'],
    ['@daily', '2026-06-16T00:00:00.000Z'],
    ['@midnight', '2026-06-16T00:00:00.000Z'],
    ['@hourly', '2026-06-15T09:00:00.000Z'],
  ])('%s', (descriptor, expected) => {
    expect(next(descriptor, '2026-06-15T08:20:00Z')).toBe(expected);
  });
});

describe('nextFiring @every', () => {
  it('adds the interval to the last whole second', () => {
    expect(next('@every 90s', '2026-01-01T00:00:00Z')).toBe('2026-01-01T00:01:30.000Z');
    expect(next('@every 90s', '2026-01-01T00:00:00.750Z')).toBe('2026-01-01T00:01:30.000Z');
    expect(next('@every 1h30m', '2026-01-01T23:00:00Z')).toBe('2026-01-02T00:30:00.000Z');
  });

  it('rounds the interval down to whole seconds', () => {
    expect(next('@every 1500ms', '2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:01.000Z');
    expect(next('@every 2.9s', '2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:02.000Z');
  });

  it('measures elapsed time across a DST change', () => {
    // Paris springs forward at 01:00Z on 2026-03-29.
    expect(next('@every 1h', '2026-03-29T00:30:00Z', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
  });
});

describe('nextFiring time zones', () => {
  it('reads the fields in UTC without a time zone, and with Z or UTC', () => {
    expect(next('0 9 * * *', '2026-01-01T00:00:00Z')).toBe('2026-01-01T09:00:00.000Z');
    expect(next('0 9 * * *', '2026-01-01T00:00:00Z', 'UTC')).toBe('2026-01-01T09:00:00.000Z');
    const zulu: CronSpec = { ...spec('0 9 * * *'), timezone: 'Z' };
    expect(nextFiring(zulu, new Date('2026-01-01T00:00:00Z'))?.toISOString()).toBe('2026-01-01T09:00:00.000Z');
  });

  it('reads the fields on the wall clock of the zone, winter and summer', () => {
    expect(next('CRON_TZ=America/New_York 0 9 * * *', '2026-01-15T00:00:00Z')).toBe('2026-01-15T14:00:00.000Z');
    expect(next('TZ=America/New_York 0 9 * * *', '2026-07-15T00:00:00Z')).toBe('2026-07-15T13:00:00.000Z');
    expect(next('0 9 * * *', '2026-07-15T00:00:00Z', 'Europe/Paris')).toBe('2026-07-15T07:00:00.000Z');
    expect(next('0 0 * * *', '2026-07-15T12:00:00Z', 'Asia/Kolkata')).toBe('2026-07-15T18:30:00.000Z');
  });

  it('uses the local date for day fields', () => {
    // 2026-01-02 00:30 in Tokyo is still 2026-01-01 (a Thursday) in UTC, but Friday in Tokyo.
    expect(next('30 0 * * FRI', '2026-01-01T00:00:00Z', 'Asia/Tokyo')).toBe('2026-01-01T15:30:00.000Z');
    expect(next('0 0 1 * *', '2026-01-15T00:00:00Z', 'Pacific/Auckland')).toBe('2026-01-31T11:00:00.000Z');
  });
});

describe('nextFiring when clocks spring forward', () => {
  // Paris: 2026-03-29 02:00 CET becomes 03:00 CEST at 01:00Z. New York: 2026-03-08 02:00 EST
  // becomes 03:00 EDT at 07:00Z.
  it('fires a fixed-hour job whose time does not exist once, when the gap ends', () => {
    expect(firings('30 2 * * *', '2026-03-27T12:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST, the end of the gap
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
    expect(firings('0 2 * * *', '2026-03-07T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-09T06:00:00.000Z', // 02:00 EDT
      '2026-03-10T06:00:00.000Z',
    ]);
  });

  it('fires once at the end of the gap however many of its times fall in it', () => {
    expect(firings('*/15 2 * * *', '2026-03-28T23:00:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
    // 03:00 both ends the gap and matches: still one firing.
    expect(firings('0 1-3 * * *', '2026-03-28T23:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-29T00:00:00.000Z', // 01:00 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T23:00:00.000Z', // 01:00 CEST next day
    ]);
  });

  it('skips the missing hour for hour-* specs', () => {
    expect(firings('30 * * * *', '2026-03-28T23:45:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-29T00:30:00.000Z', // 01:30 CET
      '2026-03-29T01:30:00.000Z', // 03:30 CEST: 02:30 does not exist
      '2026-03-29T02:30:00.000Z',
    ]);
    expect(firings('0 * * * * *', '2026-03-08T06:58:30Z', 3, 'America/New_York')).toEqual([
      '2026-03-08T06:59:00.000Z', // 01:59 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T07:01:00.000Z',
    ]);
  });

  it('keeps midnight jobs on the day of a 02:00 change', () => {
    expect(firings('@daily', '2026-03-28T12:00:00Z', 2, 'Europe/Paris')).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });

  it('fires a daily job at the end of a gap that swallows midnight', () => {
    // Santiago: 2026-09-06 00:00 -04 becomes 01:00 -03 at 04:00Z, so that day has no midnight.
    expect(firings('@daily', '2026-09-04T12:00:00Z', 3, 'America/Santiago')).toEqual([
      '2026-09-05T04:00:00.000Z',
      '2026-09-06T04:00:00.000Z', // 01:00 -03
      '2026-09-07T03:00:00.000Z',
    ]);
  });
});

describe('nextFiring when clocks fall back', () => {
  // Paris: 2026-10-25 03:00 CEST becomes 02:00 CET at 01:00Z, so 02:00-02:59 happens twice.
  // New York: 2026-11-01 02:00 EDT becomes 01:00 EST at 06:00Z, so 01:00-01:59 happens twice.
  it('fires a fixed-hour job once, on the first pass', () => {
    expect(firings('30 2 * * *', '2026-10-24T12:00:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-26T01:30:00.000Z', // 02:30 CET the next day, not 01:30Z on the 25th
    ]);
    expect(firings('*/15 2 * * *', '2026-10-24T23:50:00Z', 5, 'Europe/Paris')).toEqual([
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T00:15:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T00:45:00.000Z',
      '2026-10-26T01:00:00.000Z',
    ]);
    expect(firings('30 1 * * *', '2026-10-31T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-02T06:30:00.000Z', // 01:30 EST the next day
    ]);
  });

  it('does not fire a fixed-hour job again when asked during the second pass', () => {
    expect(next('30 2 * * *', '2026-10-25T01:10:00Z', 'Europe/Paris')).toBe('2026-10-26T01:30:00.000Z');
    expect(next('45 2 * * *', '2026-10-25T01:10:00Z', 'Europe/Paris')).toBe('2026-10-26T01:45:00.000Z');
  });

  it('fires hour-* specs in both passes', () => {
    expect(firings('30 * * * *', '2026-10-24T23:45:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:30:00.000Z', // 02:30 CET
      '2026-10-25T02:30:00.000Z', // 03:30 CET
    ]);
    // The wall clock goes back from 02:45 to 02:00: the next firing is an earlier wall time.
    expect(next('0 * * * *', '2026-10-25T00:45:00Z', 'Europe/Paris')).toBe('2026-10-25T01:00:00.000Z');
    expect(firings('*/30 * * * *', '2026-11-01T05:00:00Z', 4, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
  });

  it('handles a fall-back that crosses midnight', () => {
    // St. John's until 2011: 2010-11-07 00:01 NDT (-02:30) became 2010-11-06 23:01 NST (-03:30)
    // at 02:31Z, so the end of the 6th comes round again after the 7th has begun.
    expect(firings('*/30 * * * *', '2010-11-07T02:15:00Z', 4, 'America/St_Johns')).toEqual([
      '2010-11-07T02:30:00.000Z', // 00:00 NDT on the 7th
      '2010-11-07T03:00:00.000Z', // 23:30 NST on the 6th
      '2010-11-07T03:30:00.000Z', // 00:00 NST on the 7th
      '2010-11-07T04:00:00.000Z',
    ]);
    expect(next('*/30 * * * *', '2010-11-07T02:30:30Z', 'America/St_Johns')).toBe('2010-11-07T03:00:00.000Z');
    expect(firings('30 23 * * *', '2010-11-06T12:00:00Z', 2, 'America/St_Johns')).toEqual([
      '2010-11-07T02:00:00.000Z', // 23:30 NDT
      '2010-11-08T03:00:00.000Z', // 23:30 NST on the 7th
    ]);
  });

  it('fires midnight once when clocks fall back from midnight', () => {
    // Santiago: 2026-04-05 00:00 -03 becomes 2026-04-04 23:00 -04 at 03:00Z.
    expect(firings('@daily', '2026-04-03T12:00:00Z', 3, 'America/Santiago')).toEqual([
      '2026-04-04T03:00:00.000Z',
      '2026-04-05T04:00:00.000Z',
      '2026-04-06T04:00:00.000Z',
    ]);
    expect(firings('0 * * * *', '2026-04-05T01:30:00Z', 3, 'America/Santiago')).toEqual([
      '2026-04-05T02:00:00.000Z', // 23:00 -03
      '2026-04-05T03:00:00.000Z', // 23:00 -04
      '2026-04-05T04:00:00.000Z', // 00:00 -04
    ]);
  });
});

describe('firingsBetween', () => {
  it('lists the firings in (from, to]', () => {
    const schedule = spec('0 */6 * * *');
    expect(firingsBetween(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'), 10).map((d) => d.toISOString())).toEqual([
      '2026-01-01T06:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
      '2026-01-01T18:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
  });

  it('stops at the limit', () => {
    const schedule = spec('*/10 * * * * *');
    expect(firingsBetween(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 3).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:30.000Z',
    ]);
    expect(firingsBetween(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 0)).toEqual([]);
  });

  it('is empty for a schedule that never fires and for an empty window', () => {
    expect(firingsBetween(spec('0 0 30 2 *'), new Date('2026-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z'), 5)).toEqual([]);
    expect(firingsBetween(spec('* * * * *'), new Date('2026-01-01T00:00:30Z'), new Date('2026-01-01T00:00:59Z'), 5)).toEqual([]);
  });

  it('spans the Paris fall-back with an hourly spec and @every', () => {
    const hourly = spec('0 * * * *', 'Europe/Paris');
    expect(firingsBetween(hourly, new Date('2026-10-24T23:30:00Z'), new Date('2026-10-25T02:00:00Z'), 10).map((d) => d.toISOString())).toEqual([
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
    const every = spec('@every 45m');
    expect(firingsBetween(every, new Date('2026-01-01T00:00:00.400Z'), new Date('2026-01-01T02:30:00Z'), 10).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:45:00.000Z',
      '2026-01-01T01:30:00.000Z',
      '2026-01-01T02:15:00.000Z',
    ]);
  });
});

describe('nextFiring input', () => {
  it('rejects an invalid date', () => {
    expect(() => nextFiring(spec('* * * * *'), new Date('nope'))).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCron } from './cron.ts';

function fields(expression: string, timezone?: string) {
  const result = parseCron(expression, timezone);
  if (!result.ok) throw new Error(result.error);
  if (result.value.kind !== 'fields') throw new Error('expected fields');
  return result.value;
}

describe('parseCron', () => {
  it('reads the five standard fields with seconds at zero', () => {
    const spec = fields('0/5 * * * *');
    expect(spec.seconds).toEqual([0]);
    expect(spec.minutes).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
    expect(spec.hours).toHaveLength(24);
    expect(spec.dayOfMonthIsWildcard).toBe(true);
  });

  it('reads six fields with seconds first', () => {
    const spec = fields('*/20 0 12 * * MON-FRI');
    expect(spec.seconds).toEqual([0, 20, 40]);
    expect(spec.minutes).toEqual([0]);
    expect(spec.hours).toEqual([12]);
    expect(spec.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(spec.dayOfWeekIsWildcard).toBe(false);
  });

  it('accepts Tork test expressions', () => {
    expect(parseCron('0 0 * * *').ok).toBe(true);
    expect(parseCron('0/10 0 * * *').ok).toBe(true);
  });

  it('reads names, lists, ranges and steps', () => {
    const spec = fields('0 0 1,15 JAN-MAR/2 sun,7');
    expect(spec.daysOfMonth).toEqual([1, 15]);
    expect(spec.months).toEqual([1, 3]);
    expect(spec.daysOfWeek).toEqual([0]);
  });

  it('expands descriptors', () => {
    const daily = fields('@daily');
    expect([daily.seconds, daily.minutes, daily.hours]).toEqual([[0], [0], [0]]);
    const every = parseCron('@every 90s');
    expect(every).toEqual({ ok: true, value: { kind: 'every', interval: 90_000_000_000n, timezone: undefined } });
  });

  it('takes a time zone from a CRON_TZ prefix or beside the expression', () => {
    expect(fields('CRON_TZ=Europe/Paris 0 9 * * *').timezone).toBe('Europe/Paris');
    expect(fields('0 9 * * *', 'America/New_York').timezone).toBe('America/New_York');
  });

  it.each([
    ['', 'is empty'],
    ['invalid-cron', 'has 1 field'],
    ['* * * *', 'has 4 fields'],
    ['0 0 0 * * * 2024', 'has 7 fields'],
    ['60 * * * *', 'minute 60 is out of range 0-59'],
    ['* 24 * * *', 'hour 24 is out of range 0-23'],
    ['* * 0 * *', 'day of month 0 is out of range 1-31'],
    ['* * * 13 *', 'month 13 is out of range 1-12'],
    ['* * * * 8', 'day of week 8 is out of range 0-7'],
    ['*/0 * * * *', 'step "0" must be a positive whole number'],
    ['5-1 * * * *', 'runs backwards'],
    ['? * * * *', '"?" is only allowed in the day fields'],
    ['@fortnightly', 'unknown descriptor'],
    ['@every 10ms', 'at least one second'],
    ['CRON_TZ=Mars/Olympus 0 0 * * *', 'not an IANA time zone'],
  ])('rejects %j (%s)', (expression, message) => {
    const result = parseCron(expression);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });
});

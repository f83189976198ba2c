import { parseCron, type CronSpec } from '@twerk/contract';
import { describe, expect, it } from 'vitest';
import { planTick } from './ticks.ts';

function spec(cron: string): CronSpec {
  const parsed = parseCron(cron);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const at = (iso: string) => new Date(iso);

describe('planTick', () => {
  it('fires a tick that is due now as itself, and plans the next one', () => {
    const plan = planTick(spec('*/10 * * * * *'), at('2026-12-01T10:00:10Z'), at('2026-12-01T10:00:10.004Z'));
    expect(plan).toEqual({ tick: at('2026-12-01T10:00:10Z'), next: at('2026-12-01T10:00:20Z'), collapsed: false });
  });

  it('fires a slightly late tick as itself, so a short pause loses no tick', () => {
    const plan = planTick(spec('* * * * * *'), at('2026-12-01T10:00:01Z'), at('2026-12-01T10:00:03.500Z'));
    expect(plan.tick).toEqual(at('2026-12-01T10:00:01Z'));
    expect(plan.next).toEqual(at('2026-12-01T10:00:02Z'));
    expect(plan.collapsed).toBe(false);
  });

  it('collapses ticks missed while everything was down into one firing for the latest of them', () => {
    const plan = planTick(spec('0 * * * *'), at('2026-12-01T03:00:00Z'), at('2026-12-01T09:20:00Z'));
    expect(plan).toEqual({ tick: at('2026-12-01T09:00:00Z'), next: at('2026-12-01T10:00:00Z'), collapsed: true });
  });

  it('bounds the walk over missed ticks of a per-second schedule down for days', () => {
    const plan = planTick(spec('* * * * * *'), at('2026-11-01T00:00:00Z'), at('2026-12-01T00:00:00.200Z'));
    expect(plan.tick).toEqual(at('2026-12-01T00:00:00Z'));
    expect(plan.next).toEqual(at('2026-12-01T00:00:01Z'));
  });

  it('runs an @every schedule from the tick it fired', () => {
    const plan = planTick(spec('@every 1h'), at('2026-12-01T00:00:00Z'), at('2026-12-01T00:00:00Z'));
    expect(plan.next).toEqual(at('2026-12-01T01:00:00Z'));
  });
});

import { parseCron, scheduleDue } from './schedule';

const at = (iso: string) => new Date(iso);
const created = at('2026-01-01T00:00:00Z');

describe('scheduleDue', () => {
  it('never runs a manual model by itself', () => {
    expect(scheduleDue({ kind: 'manual' }, undefined, at('2026-06-01T00:00:00Z'), created)).toBe(false);
  });

  it('runs an interval model at once the first time, then once the interval passed since the last start', () => {
    const hourly = { kind: 'interval', seconds: 3600 } as const;
    expect(scheduleDue(hourly, undefined, at('2026-01-01T00:00:01Z'), created)).toBe(true);
    expect(scheduleDue(hourly, at('2026-01-01T10:00:00Z'), at('2026-01-01T10:59:59Z'), created)).toBe(false);
    expect(scheduleDue(hourly, at('2026-01-01T10:00:00Z'), at('2026-01-01T11:00:00Z'), created)).toBe(true);
  });

  it('runs a cron model when one of its minutes (UTC) passed since the last start', () => {
    const daily = { kind: 'cron', expression: '30 6 * * *' } as const;
    // Created at midnight: waits for 06:30.
    expect(scheduleDue(daily, undefined, at('2026-01-01T06:29:59Z'), created)).toBe(false);
    expect(scheduleDue(daily, undefined, at('2026-01-01T06:30:00Z'), created)).toBe(true);
    expect(scheduleDue(daily, at('2026-01-01T06:30:02Z'), at('2026-01-02T06:29:00Z'), created)).toBe(false);
    // A runner that was down at 06:30 runs it when it comes back.
    expect(scheduleDue(daily, at('2026-01-01T06:30:02Z'), at('2026-01-02T09:00:00Z'), created)).toBe(true);
    const weekdays = { kind: 'cron', expression: '*/15 9-17 * * 1-5' } as const;
    // 2026-01-03 is a Saturday.
    expect(scheduleDue(weekdays, at('2026-01-02T17:45:00Z'), at('2026-01-03T12:00:00Z'), created)).toBe(false);
    expect(scheduleDue(weekdays, at('2026-01-05T09:00:10Z'), at('2026-01-05T09:15:00Z'), created)).toBe(true);
  });
});

describe('parseCron', () => {
  it('names the field at fault', () => {
    expect(() => parseCron('* * *')).toThrow('a cron expression has 5 fields (minute hour day month weekday), not 3');
    expect(() => parseCron('61 * * * *')).toThrow('the minute field "61" is out of range 0-59');
    expect(() => parseCron('* * * jan *')).toThrow('the month field "jan" is not a cron field');
    expect(parseCron('0 0 1,15 * 7').dayOfWeek).toEqual(new Set([0]));
  });

  it('refuses days no month it names has, which would never fire', () => {
    expect(() => parseCron('0 0 30 2 *')).toThrow('the expression never fires: no month it names has day 30');
    expect(() => parseCron('0 0 31 4,6,9,11 *')).toThrow('no month it names has day 31');
    // February 29th comes every four years; a weekday restricted too fires on that weekday.
    expect(parseCron('0 0 29 2 *').dayOfMonth).toEqual(new Set([29]));
    expect(parseCron('0 0 30 2 1').dayOfWeek).toEqual(new Set([1]));
    expect(parseCron('0 0 31 2,3 *').month).toEqual(new Set([2, 3]));
  });
});

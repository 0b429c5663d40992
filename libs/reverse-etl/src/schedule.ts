import type { ModelSchedule } from './records';

/**
 * Whether a model's schedule has a run due at `now`, its last run having started at
 * `lastStartedAt` (undefined: it never ran). An interval is due at once for a model that never
 * ran, then every `seconds` after the last start; a cron expression when one of its minutes (UTC)
 * came after the last start (a model that never ran waits for the next one).
 */
export function scheduleDue(
  schedule: ModelSchedule,
  lastStartedAt: Date | undefined,
  now: Date,
  createdAt: Date,
): boolean {
  switch (schedule.kind) {
    case 'manual':
      return false;
    case 'interval':
      return lastStartedAt === undefined || now.getTime() - lastStartedAt.getTime() >= schedule.seconds * 1000;
    case 'cron': {
      const since = lastStartedAt ?? createdAt;
      const fire = latestCronMinute(parseCron(schedule.expression), now);
      return fire !== undefined && fire.getTime() > since.getTime();
    }
  }
}

type CronField = Set<number>;
interface Cron {
  minute: CronField;
  hour: CronField;
  dayOfMonth: CronField;
  month: CronField;
  dayOfWeek: CronField;
  anyDayOfMonth: boolean;
  anyDayOfWeek: boolean;
}

const FIELDS: Array<[name: string, min: number, max: number]> = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

/** A five-field cron expression (`*`, numbers, `a-b`, `*\/n`, `a-b/n`, lists); throws with the field at fault. */
export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new Error(`a cron expression has 5 fields (minute hour day month weekday), not ${parts.length}`);
  const fields = parts.map((part, i) => {
    const [name, min, max] = FIELDS[i] as [string, number, number];
    const values = new Set<number>();
    for (const item of part.split(',')) {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!match) throw new Error(`the ${name} field "${part}" is not a cron field`);
      const from = match[1] === '*' ? min : Number(match[2]);
      const to = match[1] === '*' ? max : match[3] !== undefined ? Number(match[3]) : match[4] ? max : from;
      const step = match[4] ? Number(match[4]) : 1;
      if (from < min || to > max || from > to || step < 1) {
        throw new Error(`the ${name} field "${part}" is out of range ${min}-${max}`);
      }
      for (let v = from; v <= to; v += step) values.add(name === 'day of week' && v === 7 ? 0 : v);
    }
    return values;
  });
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [
    CronField,
    CronField,
    CronField,
    CronField,
    CronField,
  ];
  const anyDayOfMonth = parts[2] === '*';
  const anyDayOfWeek = parts[4] === '*';
  // Days named for months that never have them ("0 0 30 2 *") would be a schedule that is
  // accepted and silently never runs. With the weekday restricted too, either matching is enough.
  if (anyDayOfWeek && ![...month].some((m) => [...dayOfMonth].some((d) => d <= (DAYS_IN_MONTH[m - 1] as number)))) {
    throw new Error(`the expression never fires: no month it names has day ${[...dayOfMonth].join(', ')}`);
  }
  return { minute, hour, dayOfMonth, month, dayOfWeek, anyDayOfMonth, anyDayOfWeek };
}

/** The most days each month can have (February in a leap year). */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function matches(cron: Cron, at: Date): boolean {
  if (
    !cron.minute.has(at.getUTCMinutes()) ||
    !cron.hour.has(at.getUTCHours()) ||
    !cron.month.has(at.getUTCMonth() + 1)
  ) {
    return false;
  }
  const dom = cron.dayOfMonth.has(at.getUTCDate());
  const dow = cron.dayOfWeek.has(at.getUTCDay());
  // As cron does: with both day fields restricted, either one matching is enough.
  if (cron.anyDayOfMonth) return dow;
  if (cron.anyDayOfWeek) return dom;
  return dom || dow;
}

/** The latest minute at or before `now` the expression fires at, looking back at most 8 days. */
function latestCronMinute(cron: Cron, now: Date): Date | undefined {
  const at = new Date(Math.floor(now.getTime() / 60000) * 60000);
  for (let i = 0; i < 8 * 24 * 60; i++) {
    if (matches(cron, at)) return at;
    at.setTime(at.getTime() - 60000);
  }
  return undefined;
}

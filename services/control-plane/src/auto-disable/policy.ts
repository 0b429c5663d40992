import type { SourceDoc } from '../store/documents';

/** When sources without an enabled destination are disabled. */
export interface AutoDisablePolicy {
  /** A source with no enabled destination for this long is disabled. */
  afterDays: number;
  /** The owner is warned at least this long before. */
  warnDaysBefore: number;
}

export const DEFAULT_AUTO_DISABLE_POLICY: AutoDisablePolicy = { afterDays: 14, warnDaysBefore: 3 };

const DAY = 86_400_000;

/**
 * The earliest time the auto-disable job disables this source, undefined while it has an enabled
 * destination: `afterDays` after it lost the last one, and never less than `warnDaysBefore` after
 * the owner was warned. Before the warning this is the date the warning will give unless the job
 * only warns later. The job acts on it, and reads show it, so the two never disagree.
 */
export function autoDisableDueAt(
  source: Pick<SourceDoc, 'withoutDestinationSince' | 'autoDisableWarnedAt'>,
  policy: AutoDisablePolicy,
): Date | undefined {
  if (!source.withoutDestinationSince) return undefined;
  const due = source.withoutDestinationSince.getTime() + policy.afterDays * DAY;
  const warned = source.autoDisableWarnedAt;
  return new Date(warned ? Math.max(due, warned.getTime() + policy.warnDaysBefore * DAY) : due);
}

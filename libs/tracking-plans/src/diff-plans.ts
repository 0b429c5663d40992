import { isDeepStrictEqual } from 'node:util';
import type { TrackingPlanRules } from './plan';

/** One difference between two versions of a plan. */
export interface PlanChange {
  /** `events.<name>`, `identifyTraits`, `groupTraits`, `pageProperties` or `policies.<name>`. */
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** What changed from one version of a plan to another, path by path, in a stable order. */
export function diffPlans(before: TrackingPlanRules, after: TrackingPlanRules): PlanChange[] {
  const changes: PlanChange[] = [];
  const compare = (path: string, a: unknown, b: unknown): void => {
    if (a === undefined && b === undefined) return;
    if (a === undefined) changes.push({ path, change: 'added', after: b });
    else if (b === undefined) changes.push({ path, change: 'removed', before: a });
    else if (!isDeepStrictEqual(a, b)) changes.push({ path, change: 'changed', before: a, after: b });
  };
  const names = [...new Set([...Object.keys(before.events), ...Object.keys(after.events)])].sort();
  for (const name of names) compare(`events.${name}`, before.events[name], after.events[name]);
  compare('identifyTraits', before.identifyTraits, after.identifyTraits);
  compare('groupTraits', before.groupTraits, after.groupTraits);
  compare('pageProperties', before.pageProperties, after.pageProperties);
  for (const key of ['unplannedEvents', 'unplannedProperties', 'violations'] as const) {
    compare(`policies.${key}`, before.policies[key], after.policies[key]);
  }
  return changes;
}

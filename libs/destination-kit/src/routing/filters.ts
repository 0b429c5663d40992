import { createHash } from 'node:crypto';
import type { DestinationFilterAction, DestinationFilterConfig } from '@manifold/config-client';
import type { SpecEvent } from '@manifold/events';
import { isPlainObject } from '@manifold/json';
import { compileFql } from '../fql';
import { drop, type DropOutcome } from '../outcome';

export interface FilterOptions {
  /** Source of randomness for non-deterministic sampling, in [0, 1); Math.random by default. */
  random?: () => number;
}

export type FilterResult = { kind: 'keep'; event: SpecEvent } | DropOutcome;

/**
 * Applies a source–destination pair's destination filters
 * (libs/destination-kit/README.md#destination-filters).
 *
 * Every enabled filter's `if` is evaluated against the event as received; the actions of the
 * filters that match then run in Segment's order: Sample → Drop → Drop Properties → Allow
 * Properties. A filter whose FQL does not compile or fails to evaluate drops the event (fail
 * closed: filters often exist to keep PII away from a tool). The input event is never modified;
 * a kept event whose properties were filtered is a copy.
 */
export function applyDestinationFilters(
  event: SpecEvent,
  filters: readonly DestinationFilterConfig[],
  options: FilterOptions = {},
): FilterResult {
  const matched: { filter: DestinationFilterConfig; action: DestinationFilterAction }[] = [];
  for (const filter of filters) {
    if (!filter.enabled) continue;
    const condition = compileFql(filter.if);
    if (!condition.ok) {
      return drop('FILTERED_BY_RULES', `filter "${filter.title}" (${filter.id}) has invalid FQL: ${condition.error}`);
    }
    let matches: boolean;
    try {
      matches = condition.matches(event);
    } catch (error) {
      return drop(
        'FILTERED_BY_RULES',
        `filter "${filter.title}" (${filter.id}) failed to evaluate: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (matches) for (const action of filter.actions) matched.push({ filter, action });
  }
  if (matched.length === 0) return { kind: 'keep', event };

  for (const { filter, action } of matched) {
    if (action.type === 'SAMPLE' && !sampledIn(event, action.percent, action.path, options.random ?? Math.random)) {
      return drop('FILTERED_BY_RULES', `sampled out by filter "${filter.title}" (${filter.id}, ${action.percent})`);
    }
  }
  for (const { filter, action } of matched) {
    if (action.type === 'DROP') return drop('FILTERED_BY_RULES', `dropped by filter "${filter.title}" (${filter.id})`);
  }
  const editing = matched.filter(
    ({ action }) => action.type === 'DROP_PROPERTIES' || action.type === 'ALLOW_PROPERTIES',
  );
  if (editing.length === 0) return { kind: 'keep', event };
  const copy = structuredClone(event);
  for (const type of ['DROP_PROPERTIES', 'ALLOW_PROPERTIES'] as const) {
    for (const { action } of editing) {
      if (action.type !== type) continue;
      for (const [path, keys] of Object.entries(action.fields)) {
        for (const target of targets(copy, path)) {
          for (const key of Object.keys(target)) {
            const listed = keys.includes(key);
            if (type === 'DROP_PROPERTIES' ? listed : !listed) delete target[key];
          }
        }
      }
    }
  }
  return { kind: 'keep', event: copy };
}

/** The objects a property rule applies to: the one at `path` ("" = the event), or each object of an array there. */
function targets(event: SpecEvent, path: string): Record<string, unknown>[] {
  let current: unknown = event;
  for (const segment of path === '' ? [] : path.split('.')) {
    if (!isPlainObject(current)) return [];
    current = current[segment];
  }
  if (Array.isArray(current)) return current.filter(isPlainObject);
  return isPlainObject(current) ? [current] : [];
}

/**
 * Keeps `percent` (0–1) of events. With a `path`, the decision is a function of that field's
 * value (an MD5 of its JSON read as a fraction), so e.g. a user is always in or always out.
 */
function sampledIn(event: SpecEvent, percent: number, path: string | undefined, random: () => number): boolean {
  if (percent <= 0) return false;
  if (percent >= 1) return true;
  if (!path) return random() < percent;
  let value: unknown = event;
  for (const segment of path.split('.')) value = isPlainObject(value) ? value[segment] : undefined;
  const digest = createHash('md5')
    .update(JSON.stringify(value ?? null))
    .digest();
  return Number(digest.readBigUInt64BE(0)) / 2 ** 64 < percent;
}

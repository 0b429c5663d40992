import type { CheckedEvent } from './compile-plan';

/**
 * What was seen of one kind of event: its call type, its name (track events; '' otherwise), and
 * per property path (a JSON pointer into `properties` or `traits`, `/address/city`) the JSON types
 * its values had. An event seen without properties has no paths, and is still an event seen.
 */
export interface ObservedEvent {
  type: string;
  event: string;
  paths: Record<string, string[]>;
}

/** The call types a plan holds to a schema, and the field each one's schema describes. */
const CHECKED_FIELD: Readonly<Record<string, 'properties' | 'traits'>> = {
  track: 'properties',
  identify: 'traits',
  group: 'traits',
  page: 'properties',
};

/** Whether a plan can describe this call type (screen and alias are never checked). */
export const isPlannedCallType = (type: string): boolean => type in CHECKED_FIELD;

/** The JSON type of a parsed value, as JSON Schema names it (every number is `number`). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? 'number' : typeof value === 'object' ? 'object' : typeof value;
}

/**
 * Calls `seen(path, jsonType)` for every property path of the event's checked object (nested
 * objects walked, arrays not entered), at most `maxPaths` of them; returns how many were left out.
 * A call type no plan checks gives nothing.
 */
export function observeEvent(
  event: CheckedEvent,
  maxPaths: number,
  seen: (path: string, type: string) => void,
): number {
  const field = CHECKED_FIELD[event.type];
  if (!field) return 0;
  let left = maxPaths;
  let cut = 0;
  const walk = (object: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(object)) {
      if (left === 0) {
        cut++;
        continue;
      }
      left--;
      const path = `${prefix}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const type = jsonType(value);
      seen(path, type);
      if (type === 'object') walk(value as Record<string, unknown>, path);
    }
  };
  const object = event[field];
  if (object && typeof object === 'object') walk(object, '');
  return cut;
}

import { isPlainObject } from '@manifold/json';

// What PostHog's ingestion makes of one captured event
// (libs/destinations/src/posthog/README.md#the-api). Events without a name or a distinct_id are
// dropped silently (the API still answers 200); special events with the wrong shape are ingested
// but do nothing useful, so the emulator lists their problems for tests to see.

const MAX_GROUP_CHARS = 400;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Why PostHog would drop the event without telling, or undefined when it is ingested. */
export function silentDropReason(event: unknown): string | undefined {
  if (!isPlainObject(event)) return 'event is not an object';
  if (typeof event['event'] !== 'string' || event['event'] === '') return 'missing event name';
  const distinctId = distinctIdOf(event);
  if (distinctId === undefined || distinctId === '') return 'missing or empty distinct_id';
  return undefined;
}

/** The distinct_id, top-level or in properties, as text. */
export function distinctIdOf(event: Record<string, unknown>): string | undefined {
  const properties = isPlainObject(event['properties']) ? event['properties'] : {};
  const value = event['distinct_id'] ?? properties['distinct_id'];
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A uuid PostHog cannot parse fails the whole request. */
export function invalidUuid(event: unknown): boolean {
  return (
    isPlainObject(event) &&
    event['uuid'] !== undefined &&
    (typeof event['uuid'] !== 'string' || !UUID.test(event['uuid']))
  );
}

/** Shape problems of an ingested event that a correct translation never has. */
export function eventProblems(event: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const p = isPlainObject(event['properties']) ? event['properties'] : {};
  if (event['properties'] !== undefined && !isPlainObject(event['properties']))
    problems.push('properties must be an object');
  const timestamp = event['timestamp'];
  if (
    timestamp !== undefined &&
    (typeof timestamp !== 'string' || !ISO_8601.test(timestamp) || Number.isNaN(Date.parse(timestamp)))
  ) {
    problems.push('timestamp must be an ISO-8601 date-time');
  }
  for (const key of ['$set', '$set_once']) {
    if (p[key] !== undefined && !isPlainObject(p[key])) problems.push(`${key} must be an object`);
  }
  if (p['$process_person_profile'] === false && (p['$set'] !== undefined || p['$set_once'] !== undefined)) {
    problems.push('person properties ($set, $set_once) are ignored when $process_person_profile is false');
  }
  switch (event['event']) {
    case '$identify':
      if (!isPlainObject(p['$set']) && p['$anon_distinct_id'] === undefined) {
        problems.push('$identify needs properties.$set (or $anon_distinct_id)');
      }
      break;
    case '$set':
      if (!isPlainObject(p['$set']) && !isPlainObject(p['$set_once']))
        problems.push('$set needs properties.$set or $set_once');
      break;
    case '$pageview':
      if (typeof p['$current_url'] !== 'string' || p['$current_url'] === '') {
        problems.push('$pageview needs properties.$current_url');
      }
      break;
    case '$screen':
      if (typeof p['$screen_name'] !== 'string' || p['$screen_name'] === '') {
        problems.push('$screen needs properties.$screen_name');
      }
      break;
    case '$groupidentify':
      for (const key of ['$group_type', '$group_key']) {
        const value = p[key];
        if (typeof value !== 'string' || value === '' || value.length > MAX_GROUP_CHARS) {
          problems.push(`$groupidentify needs properties.${key} (1–${MAX_GROUP_CHARS} characters)`);
        }
      }
      if (p['$group_set'] !== undefined && !isPlainObject(p['$group_set']))
        problems.push('$group_set must be an object');
      break;
    case '$create_alias':
      if (typeof p['alias'] !== 'string' || p['alias'] === '') problems.push('$create_alias needs properties.alias');
      break;
    default:
      break;
  }
  return problems;
}

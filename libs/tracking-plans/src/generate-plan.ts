import type { CheckedEvent } from './compile-plan';
import { DEFAULT_POLICIES, type JsonSchema, type TrackingPlanRules } from './plan';

/**
 * What was seen of an object's values across samples: per property, its JSON types, how many
 * samples had it, and (for objects) what was seen inside.
 */
interface Observed {
  samples: number;
  properties: Map<string, { types: Set<string>; seen: number; nested?: Observed }>;
}

const observed = (): Observed => ({ samples: 0, properties: new Map() });

/**
 * A starting plan from sample events: every track event name seen, with its property paths and
 * the JSON types observed; a property is required when every sample of the event had it. Identify,
 * group and page calls give the traits / properties schemas. Policies are all `allow`, so the
 * first version only reports.
 */
export function generatePlanRules(events: Iterable<CheckedEvent>): TrackingPlanRules {
  const byEvent = new Map<string, Observed>();
  const identify = observed();
  const group = observed();
  const page = observed();
  for (const event of events) {
    if (event.type === 'track' && typeof event.event === 'string') {
      let seen = byEvent.get(event.event);
      if (!seen) byEvent.set(event.event, (seen = observed()));
      observe(seen, event.properties ?? {});
    } else if (event.type === 'identify') observe(identify, event.traits ?? {});
    else if (event.type === 'group') observe(group, event.traits ?? {});
    else if (event.type === 'page') observe(page, event.properties ?? {});
  }
  const rules: TrackingPlanRules = {
    events: Object.fromEntries(
      [...byEvent].sort(([a], [b]) => a.localeCompare(b)).map(([name, seen]) => [name, schemaOf(seen)]),
    ),
    policies: { ...DEFAULT_POLICIES },
  };
  if (identify.samples > 0) rules.identifyTraits = schemaOf(identify);
  if (group.samples > 0) rules.groupTraits = schemaOf(group);
  if (page.samples > 0) rules.pageProperties = schemaOf(page);
  return rules;
}

function observe(into: Observed, object: Record<string, unknown>): void {
  into.samples++;
  for (const [name, value] of Object.entries(object)) {
    let property = into.properties.get(name);
    if (!property) into.properties.set(name, (property = { types: new Set(), seen: 0 }));
    property.seen++;
    const type = jsonType(value);
    property.types.add(type);
    if (type === 'object') observe((property.nested ??= observed()), value as Record<string, unknown>);
  }
}

function schemaOf(seen: Observed): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, property] of [...seen.properties].sort(([a], [b]) => a.localeCompare(b))) {
    const types = [...property.types].sort();
    const schema: JsonSchema = { type: types.length === 1 ? types[0] : types };
    if (property.nested && types.length === 1) Object.assign(schema, schemaOf(property.nested));
    properties[name] = schema;
    if (property.seen === seen.samples) required.push(name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? 'number' : typeof value === 'object' ? 'object' : typeof value;
}

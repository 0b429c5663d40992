import { DEFAULT_POLICIES, type JsonSchema, type TrackingPlanRules } from './plan';
import type { ObservedEvent } from './observe-event';

/** One object's properties as observed: per name its JSON types and what was seen inside it. */
type ObservedObject = Map<string, { types: Set<string>; nested: ObservedObject }>;

/**
 * A starting plan from what was observed of a source's events (ingestion reports each event's
 * property paths and their JSON types; see observeEvent): every track event name seen, with its
 * properties and their types, nested objects described too. Identify, group and page calls give
 * the traits / properties schemas. Observations do not say how often a property was there, so
 * nothing is required. Policies are all `allow`, so the first version only reports.
 */
export function generatePlanRules(observed: Iterable<ObservedEvent>): TrackingPlanRules {
  const byEvent = new Map<string, ObservedObject>();
  const byCall = new Map<string, ObservedObject>();
  for (const { type, event, paths } of observed) {
    let object: ObservedObject | undefined;
    if (type === 'track') {
      object = byEvent.get(event);
      if (!object) byEvent.set(event, (object = new Map()));
    } else if (type === 'identify' || type === 'group' || type === 'page') {
      object = byCall.get(type);
      if (!object) byCall.set(type, (object = new Map()));
    } else continue;
    for (const [path, types] of Object.entries(paths)) addPath(object, path, types);
  }
  const rules: TrackingPlanRules = {
    events: Object.fromEntries(
      [...byEvent].sort(([a], [b]) => a.localeCompare(b)).map(([name, object]) => [name, schemaOf(object)]),
    ),
    policies: { ...DEFAULT_POLICIES },
  };
  const identify = byCall.get('identify');
  const group = byCall.get('group');
  const page = byCall.get('page');
  if (identify) rules.identifyTraits = schemaOf(identify);
  if (group) rules.groupTraits = schemaOf(group);
  if (page) rules.pageProperties = schemaOf(page);
  return rules;
}

function addPath(into: ObservedObject, path: string, types: readonly string[]): void {
  const names = path
    .split('/')
    .slice(1)
    .map((name) => name.replace(/~1/g, '/').replace(/~0/g, '~'));
  let object = into;
  names.forEach((name, i) => {
    let property = object.get(name);
    if (!property) object.set(name, (property = { types: new Set(), nested: new Map() }));
    // A parent of a deeper path was an object, whatever else was seen of it.
    if (i < names.length - 1) property.types.add('object');
    else for (const type of types) property.types.add(type);
    object = property.nested;
  });
}

function schemaOf(object: ObservedObject): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, property] of [...object].sort(([a], [b]) => a.localeCompare(b))) {
    const types = [...property.types].sort();
    const schema: JsonSchema = { type: types.length === 1 ? types[0] : types };
    // `properties` applies only to the values that are objects, so it holds beside other types.
    if (property.types.has('object')) schema['properties'] = schemaOf(property.nested)['properties'];
    properties[name] = schema;
  }
  return { type: 'object', properties };
}

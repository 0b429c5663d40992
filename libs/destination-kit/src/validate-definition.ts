import { isUnsupported, type DestinationDefinition, type DestinationSettingsSchema } from './definition';
import { compileFql } from './fql';
import { validateMapping, type MappingValue } from './mapping';

/**
 * Every structural problem of a destination definition: routes naming missing actions, route
 * conditions that are not valid FQL, malformed mappings, mappings of fields the action lacks.
 * Each destination's tests assert this is empty.
 */
export function validateDefinition<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9-]+$/.test(destination.id)) problems.push(`id "${destination.id}" must be lower-case kebab`);
  for (const [name, action] of Object.entries(destination.actions)) {
    const fields = Object.keys(action.fields.shape);
    for (const [field, mapping] of Object.entries(action.defaultMapping)) {
      if (!fields.includes(field)) problems.push(`${name}: default mapping of unknown field "${field}"`);
      problems.push(...validateMapping(mapping as MappingValue, `${name}.${field}`));
    }
    if (action.batch && !(action.batch.maxEvents >= 1)) problems.push(`${name}: batch.maxEvents must be ≥ 1`);
  }
  for (const [type, route] of Object.entries(destination.routes)) {
    if (route === undefined || isUnsupported(route)) continue;
    route.forEach((rule, i) => {
      const at = `routes.${type}[${i}]`;
      const action = destination.actions[rule.action];
      if (!action) {
        problems.push(`${at}: unknown action "${rule.action}"`);
        return;
      }
      if (rule.if !== undefined) {
        const compiled = compileFql(rule.if);
        if (!compiled.ok) problems.push(`${at}: invalid condition: ${compiled.error}`);
      }
      for (const [field, mapping] of Object.entries(rule.mapping ?? {})) {
        if (!(field in action.fields.shape)) problems.push(`${at}: mapping of unknown field "${field}"`);
        problems.push(...validateMapping(mapping, `${at}.${field}`));
      }
    });
  }
  return problems;
}

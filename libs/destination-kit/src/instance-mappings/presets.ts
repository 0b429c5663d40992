import { CALL_TYPES } from '@manifold/events';
import { isUnsupported, type DestinationDefinition } from '../definition';
import type { Mapping } from '../mapping';
import type { InstanceMapping } from './instance-mapping';

/**
 * The destination's presets as instance mappings: a new instance starts with them, and "reset to
 * presets" restores them. One per route rule of the definition. Routes pick the first rule that
 * matches; mappings run every match, so each preset's trigger also excludes the conditions of
 * the rules before it (a rule after one without a condition could never match, and has none).
 */
export function presetMappings(destination: DestinationDefinition): InstanceMapping[] {
  const presets: InstanceMapping[] = [];
  for (const type of CALL_TYPES) {
    const rules = destination.routes[type];
    if (rules === undefined || isUnsupported(rules)) continue;
    const earlier: string[] = [];
    for (const [index, rule] of rules.entries()) {
      const action = destination.actions[rule.action];
      if (!action) continue;
      const conditions = [`type = "${type}"`, ...earlier.map((c) => `!(${c})`)];
      if (rule.if !== undefined) conditions.push(`(${rule.if})`);
      presets.push({
        id: `preset-${type}-${index + 1}`,
        // The condition is in the trigger; names stay short enough for a list.
        name: rules.length === 1 ? `${action.title} (${type})` : `${action.title} (${type} ${index + 1})`,
        enabled: true,
        trigger: conditions.join(' and '),
        action: rule.action,
        fields: { ...(action.defaultMapping as Mapping), ...rule.mapping },
      });
      if (rule.if === undefined) break;
      earlier.push(rule.if);
    }
  }
  return presets;
}

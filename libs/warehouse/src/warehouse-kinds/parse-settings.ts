import type { z } from 'zod';
import {
  warehouseSettingsJsonSchema,
  type WarehouseDefinition,
  type WarehouseSettingsSchema,
} from './define-warehouse';

export class InvalidWarehouseSettingsError extends Error {
  constructor(
    readonly kind: string,
    readonly problems: string[],
  ) {
    super(`invalid ${kind} warehouse settings: ${problems.join('; ')}`);
    this.name = 'InvalidWarehouseSettingsError';
  }
}

/**
 * A kind's settings, parsed (defaults filled in, typed); throws InvalidWarehouseSettingsError
 * listing every problem, worded as the control plane words them, and never quoting a value (a
 * credential in the wrong setting must not reach a log).
 */
export function parseWarehouseSettings<S extends WarehouseSettingsSchema>(
  definition: WarehouseDefinition<S>,
  settings: Record<string, unknown>,
): z.output<S> {
  const parsed = definition.settings.safeParse(settings);
  if (parsed.success) return parsed.data;
  const types = propertyTypes(definition);
  // Problems of the settings as a whole first, then those of each setting.
  const issues = [...parsed.error.issues].sort((a, b) => rank(a) - rank(b));
  const problems = issues.flatMap((issue): string[] => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'settings';
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => `${where} must NOT have additional properties (${key})`);
      case 'invalid_type': {
        if (issue.path.length === 1 && settings[where] === undefined) {
          return [`settings must have required property '${where}'`];
        }
        const type = issue.path.length === 1 ? types[String(issue.path[0])] : undefined;
        return [`${where} must be ${type ?? issue.expected}`];
      }
      case 'custom':
        return [issue.message];
      default:
        return [`${where} ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`];
    }
  });
  throw new InvalidWarehouseSettingsError(definition.id, [...new Set(problems)]);
}

function rank(issue: z.core.$ZodIssue): number {
  if (issue.code === 'custom' && issue.path.length === 0) return 0;
  return issue.code === 'unrecognized_keys' ? 1 : 2;
}

/** Each setting's JSON Schema type (`integer`, not zod's `number`), for messages. */
function propertyTypes(definition: WarehouseDefinition): Record<string, string> {
  const properties = warehouseSettingsJsonSchema(definition)['properties'] as
    Record<string, { type?: unknown }> | undefined;
  const types: Record<string, string> = {};
  for (const [name, property] of Object.entries(properties ?? {})) {
    if (typeof property.type === 'string') types[name] = property.type;
  }
  return types;
}

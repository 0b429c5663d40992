import type { z } from 'zod';
import { applyLenientFields } from '../coercion/lenient-fields';
import { Notices } from '../coercion/notices';
import type { AnyAction, DestinationDefinition } from '../definition';
import { compileFql } from '../fql';
import { mappingProblems, type MappingProblem, type MappingValue } from '../mapping';
import { instanceMappingsSchema, type InstanceMapping } from './instance-mapping';

export type MappingsValidation = { ok: true; mappings: InstanceMapping[] } | { ok: false; problems: MappingProblem[] };

/**
 * Checks an instance's mappings against the destination: their shape, unique ids, each trigger
 * (valid FQL), each action (one of the destination's), and each field mapping against the
 * action's fields: fields the action does not have, malformed directives, literal values of the
 * wrong type, and required fields with neither a default nor a mapping. Every problem is listed,
 * with its path from `at` (e.g. `mappings[1].fields.event`). Pure.
 */
export function validateInstanceMappings(
  destination: DestinationDefinition,
  raw: unknown,
  at = 'mappings',
): MappingsValidation {
  const shape = instanceMappingsSchema.safeParse(raw);
  if (!shape.success) {
    return {
      ok: false,
      problems: shape.error.issues.map((issue) => ({ path: pathOf(at, issue.path), message: issue.message })),
    };
  }
  const mappings = shape.data as InstanceMapping[];
  const problems: MappingProblem[] = [];
  const seen = new Set<string>();
  mappings.forEach((mapping, index) => {
    const here = `${at}[${index}]`;
    if (seen.has(mapping.id))
      problems.push({ path: `${here}.id`, message: `is used by an earlier mapping (${mapping.id})` });
    seen.add(mapping.id);
    const trigger = compileFql(mapping.trigger);
    if (!trigger.ok) problems.push({ path: `${here}.trigger`, message: `is not valid FQL: ${trigger.error}` });
    const action = destination.actions[mapping.action] as AnyAction | undefined;
    if (!action) {
      const actions = Object.keys(destination.actions).join(', ');
      problems.push({
        path: `${here}.action`,
        message: `is not an action of ${destination.name} (its actions: ${actions})`,
      });
      return;
    }
    problems.push(...fieldProblems(action, mapping.fields, `${here}.fields`));
  });
  return problems.length === 0 ? { ok: true, mappings } : { ok: false, problems };
}

function fieldProblems(action: AnyAction, fields: Record<string, MappingValue>, at: string): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const shape = action.fields.shape as Record<string, z.ZodType>;
  for (const [field, mapping] of Object.entries(fields)) {
    const schema = shape[field];
    if (!schema) {
      problems.push({
        path: `${at}.${field}`,
        message: `is not a field of ${action.title} (its fields: ${Object.keys(shape).join(', ')})`,
      });
      continue;
    }
    const structural = mappingProblems(mapping, `${at}.${field}`);
    problems.push(...structural);
    if (structural.length === 0) problems.push(...literalProblems(action, field, schema, mapping, `${at}.${field}`));
  }
  for (const [field, schema] of Object.entries(shape)) {
    if (field in fields || schema.safeParse(undefined).success) continue;
    problems.push({ path: `${at}.${field}`, message: `is required by ${action.title} and has no default: map it` });
  }
  return problems;
}

/**
 * A field mapped to a fixed value (no directive reads the event) is checked as the payload
 * would be: converted where the field converts (a lenient number takes "24"), then validated.
 */
function literalProblems(
  action: AnyAction,
  field: string,
  schema: z.ZodType,
  mapping: MappingValue,
  at: string,
): MappingProblem[] {
  const literal = literalOf(mapping);
  if (!literal.fixed) return [];
  const payload: Record<string, unknown> = { [field]: literal.value };
  const notices = new Notices();
  applyLenientFields(action.fields, payload, notices);
  const dropped = notices.list.find((n) => n.kind === 'dropped');
  if (dropped) return [{ path: at, message: `the value cannot be sent: ${dropped.reason}` }];
  const parsed = schema.safeParse(payload[field]);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ path: pathOf(at, issue.path), message: issue.message }));
}

/** The value a mapping always gives, when it reads nothing from the event. */
function literalOf(mapping: MappingValue): { fixed: true; value: unknown } | { fixed: false } {
  if (mapping === null || typeof mapping !== 'object') return { fixed: true, value: mapping };
  if (Array.isArray(mapping)) {
    const items = mapping.map(literalOf);
    if (items.some((item) => !item.fixed)) return { fixed: false };
    return { fixed: true, value: items.map((item) => (item as { value: unknown }).value) };
  }
  const keys = Object.keys(mapping);
  if (keys.length === 1 && keys[0] === '@literal') return { fixed: true, value: mapping['@literal'] };
  if (keys.some((key) => key.startsWith('@'))) return { fixed: false };
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const item = literalOf(mapping[key] as MappingValue);
    if (!item.fixed) return { fixed: false };
    out[key] = item.value;
  }
  return { fixed: true, value: out };
}

function pathOf(at: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`),
    at,
  );
}

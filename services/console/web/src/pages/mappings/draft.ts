import type { CatalogAction, DestinationMapping } from '../../../../src/api/types';
import type { FieldError } from '../../api';
import { sourceOf, valueOf, type FieldSource } from '../../../../src/shared/mappings/field-source';

/** A mapping as the editor holds it until it is saved: each field as the person typed it. */
export interface DraftMapping {
  /** Stable across reorders and saves of a new mapping (whose id the server sets). */
  key: string;
  id: string;
  name: string;
  enabled: boolean;
  trigger: string;
  action: string;
  sources: Record<string, FieldSource>;
}

let keys = 0;
const newKey = () => `draft-${++keys}`;

/** The action's preset field mapping, as a new mapping of it starts. */
function presetSources(action: CatalogAction): Record<string, FieldSource> {
  const sources: Record<string, FieldSource> = {};
  for (const field of action.fields)
    if (field.defaultMapping !== undefined) sources[field.name] = sourceOf(field.defaultMapping);
  return sources;
}

export function draftOf(mapping: DestinationMapping): DraftMapping {
  return { ...mapping, key: newKey(), sources: sourcesOf(mapping.fields) };
}

export function newDraft(action: CatalogAction): DraftMapping {
  return {
    key: newKey(),
    id: '',
    name: action.title,
    enabled: true,
    trigger: 'all',
    action: action.id,
    sources: presetSources(action),
  };
}

/** The same mapping running another action, its fields starting from that action's presets. */
export function withAction(draft: DraftMapping, action: CatalogAction): DraftMapping {
  return { ...draft, action: action.id, sources: presetSources(action) };
}

/** The field mapping the sources make, or the fields whose typed value is not one (field → why). */
export function fieldsOf(sources: Record<string, FieldSource>): {
  fields: Record<string, unknown>;
  problems: Record<string, string>;
} {
  const fields: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const [name, source] of Object.entries(sources)) {
    const value = valueOf(source);
    if (!value.ok) problems[name] = value.error;
    else if (value.value !== undefined) fields[name] = value.value;
  }
  return { fields, problems };
}

/** The mapping to send, or the fields whose typed value is not one (field → why). */
export function mappingOf(draft: DraftMapping): { mapping: DestinationMapping; problems: Record<string, string> } {
  const { fields, problems } = fieldsOf(draft.sources);
  const { id, name, enabled, trigger, action } = draft;
  return { mapping: { id, name, enabled, trigger, action, fields }, problems };
}

/** The editor's view of a saved field mapping (a mapping's, a Reverse ETL connection's). */
export function sourcesOf(fields: Record<string, unknown>): Record<string, FieldSource> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, sourceOf(value)]));
}

/** What the server refused in one mapping: per field of the action, and per part of the mapping (trigger, action, name). */
export interface MappingProblems {
  fields: Record<string, string>;
  parts: Record<string, string>;
}

/**
 * Adds a problem the server found at a path inside one mapping (`fields.data.@case.operator`,
 * `trigger`): a field's under its field with the rest of its path, anything else under its part.
 */
function addProblem(problems: MappingProblems, path: string, message: string): void {
  const field = /^fields\.([^.[]+)(.*)$/.exec(path);
  if (field) append(problems.fields, field[1]!, field[2] ? `${field[2].replace(/^\./, '')}: ${message}` : message);
  else append(problems.parts, path.split(/[.[]/)[0] ?? '', message);
}

/** A field with several problems shows them all, each with the rest of its path. */
function append(record: Record<string, string>, key: string, text: string): void {
  record[key] = record[key] ? `${record[key]}; ${text}` : text;
}

/** The server's problems with one mapping-like thing whose paths start at it (a Reverse ETL connection). */
export function problemsOfOne(errors: readonly FieldError[]): MappingProblems {
  const problems: MappingProblems = { fields: {}, parts: {} };
  for (const error of errors) addProblem(problems, error.field, error.message);
  return problems;
}

/** The server's problems (`mappings[1].fields.data.@case.operator: ...`) by mapping index; others under -1. */
export function problemsByMapping(errors: readonly FieldError[]): Map<number, MappingProblems> {
  const byIndex = new Map<number, MappingProblems>();
  const of = (index: number) => {
    const problems = byIndex.get(index) ?? { fields: {}, parts: {} };
    byIndex.set(index, problems);
    return problems;
  };
  for (const error of errors) {
    const match = /^mappings\[(\d+)\]\.?(.*)$/.exec(error.field);
    if (!match) {
      append(of(-1).parts, error.field, error.message);
      continue;
    }
    addProblem(of(Number(match[1])), match[2] ?? '', error.message);
  }
  return byIndex;
}

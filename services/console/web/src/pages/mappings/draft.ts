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

function sourcesOf(fields: Record<string, unknown>): Record<string, FieldSource> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, sourceOf(value)]));
}

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

/** The mapping to send, or the fields whose typed value is not one (field → why). */
export function mappingOf(draft: DraftMapping): { mapping: DestinationMapping; problems: Record<string, string> } {
  const fields: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const [name, source] of Object.entries(draft.sources)) {
    const value = valueOf(source);
    if (!value.ok) problems[name] = value.error;
    else if (value.value !== undefined) fields[name] = value.value;
  }
  const { id, name, enabled, trigger, action } = draft;
  return { mapping: { id, name, enabled, trigger, action, fields }, problems };
}

/** What the server refused in one mapping: per field of the action, and per part of the mapping (trigger, action, name). */
export interface MappingProblems {
  fields: Record<string, string>;
  parts: Record<string, string>;
}

/** The server's problems (`mappings[1].fields.data.@case.operator: ...`) by mapping index; others under -1. */
export function problemsByMapping(errors: readonly FieldError[]): Map<number, MappingProblems> {
  const byIndex = new Map<number, MappingProblems>();
  const add = (index: number, kind: keyof MappingProblems, key: string, message: string) => {
    const problems = byIndex.get(index) ?? { fields: {}, parts: {} };
    // A field with several problems shows them all, each with the rest of its path.
    problems[kind][key] = problems[kind][key] ? `${problems[kind][key]}; ${message}` : message;
    byIndex.set(index, problems);
  };
  for (const error of errors) {
    const match = /^mappings\[(\d+)\]\.?(.*)$/.exec(error.field);
    if (!match) {
      add(-1, 'parts', error.field, error.message);
      continue;
    }
    const index = Number(match[1]);
    const rest = match[2] ?? '';
    const field = /^fields\.([^.[]+)(.*)$/.exec(rest);
    if (field)
      add(index, 'fields', field[1]!, field[2] ? `${field[2].replace(/^\./, '')}: ${error.message}` : error.message);
    else add(index, 'parts', rest.split(/[.[]/)[0] ?? '', error.message);
  }
  return byIndex;
}

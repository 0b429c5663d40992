// How the mapping editor shows one field's mapping-kit value: a kind a person picks (an event
// field, a template, a fixed value, ...) and the text they type, and back.

export const SOURCE_KINDS = [
  { id: 'path', label: 'Event field' },
  { id: 'template', label: 'Template' },
  { id: 'liquid', label: 'Liquid template' },
  { id: 'text', label: 'Fixed text' },
  { id: 'number', label: 'Fixed number' },
  { id: 'boolean', label: 'Fixed true/false' },
  { id: 'json', label: 'Mapping (JSON)' },
  { id: 'none', label: 'Not mapped' },
] as const;

export type SourceKind = (typeof SOURCE_KINDS)[number]['id'];

export interface FieldSource {
  kind: SourceKind;
  text: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The editor's view of a field's value (undefined: not mapped). */
export function sourceOf(value: unknown): FieldSource {
  if (value === undefined) return { kind: 'none', text: '' };
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (typeof value === 'number') return { kind: 'number', text: String(value) };
  if (typeof value === 'boolean') return { kind: 'boolean', text: String(value) };
  if (isObject(value)) {
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0] : undefined;
    if (only === '@path' && typeof value['@path'] === 'string') return { kind: 'path', text: value['@path'] };
    if (only === '@template' && typeof value['@template'] === 'string') {
      return { kind: 'template', text: value['@template'] };
    }
    if (only === '@liquid' && typeof value['@liquid'] === 'string') return { kind: 'liquid', text: value['@liquid'] };
  }
  return { kind: 'json', text: JSON.stringify(value, null, 2) };
}

export type SourceValue = { ok: true; value: unknown } | { ok: false; error: string };

/** The mapping-kit value of what was typed (undefined: leave the field out), or why it is not one. */
export function valueOf(source: FieldSource): SourceValue {
  const text = source.text;
  switch (source.kind) {
    case 'none':
      return { ok: true, value: undefined };
    case 'path': {
      const path = text.trim();
      if (!path) return { ok: false, error: 'choose or type a path of the event, e.g. $.properties.plan' };
      return { ok: true, value: { '@path': path.startsWith('$') ? path : `$.${path}` } };
    }
    case 'template':
      return { ok: true, value: { '@template': text } };
    case 'liquid':
      return { ok: true, value: { '@liquid': text } };
    case 'text':
      return { ok: true, value: text };
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) return { ok: false, error: 'is not a number' };
      return { ok: true, value: n };
    }
    case 'boolean':
      return { ok: true, value: text === 'true' };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (error) {
        return { ok: false, error: `is not JSON: ${(error as Error).message}` };
      }
  }
}

/** The text a kind starts with when a person switches to it, kept from the previous kind when it fits. */
export function switchKind(source: FieldSource, kind: SourceKind): FieldSource {
  if (kind === 'boolean') return { kind, text: source.text === 'false' ? 'false' : 'true' };
  if (kind === 'json') {
    const current = valueOf(source);
    return { kind, text: current.ok && current.value !== undefined ? JSON.stringify(current.value, null, 2) : '' };
  }
  if (kind === 'none' || source.kind === 'json' || source.kind === 'boolean') return { kind, text: '' };
  return { kind, text: source.text };
}

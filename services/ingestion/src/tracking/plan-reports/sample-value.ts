import { SECRET_MASK } from '@manifold/secrets';

/** Property names whose values are credentials more often than not: masked in samples. */
const CREDENTIAL_NAME = /pass(word)?|secret|token|api.?key|credential|authori[sz]ation/i;
const MAX_CHARS = 64;

/**
 * The value at a violation's path (a JSON pointer into the checked object), as a sample shows it:
 * scalars as JSON cut to a few dozen characters, objects and arrays by their size, and values of
 * names that look like credentials masked. Undefined when there is nothing at the path (a dropped
 * property, a missing one).
 */
export function sampleValue(checked: Record<string, unknown> | undefined, pointer: string): string | undefined {
  let value: unknown = checked;
  let name = '';
  for (const part of pointer.split('/').slice(1)) {
    name = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  if (value === undefined || pointer === '') return undefined;
  if (CREDENTIAL_NAME.test(name)) return SECRET_MASK;
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (typeof value === 'object' && value !== null) return `{${Object.keys(value).length} properties}`;
  const json = JSON.stringify(value);
  return json.length > MAX_CHARS ? `${json.slice(0, MAX_CHARS)}…` : json;
}

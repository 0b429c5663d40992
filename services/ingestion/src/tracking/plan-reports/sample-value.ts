import { SECRET_MASK } from '@manifold/secrets';

/** Property names whose values are credentials more often than not: masked in samples. */
const CREDENTIAL_NAME = /pass(word)?|secret|token|api.?key|credential|authori[sz]ation/i;
const MAX_CHARS = 64;

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The value at `pointer` below `root`, with the name of its last token ('' at the root itself). */
function lookUp(root: unknown, pointer: string, name = ''): { value: unknown; name: string } | undefined {
  let value = root;
  for (const part of pointer === '' ? [] : pointer.split('/').slice(1)) {
    name = unescape(part);
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value === undefined ? undefined : { value, name };
}

/**
 * The value at a violation's path (a JSON pointer into the checked object), as a sample shows it:
 * scalars as JSON cut to a few dozen characters, objects and arrays by their size, and values of
 * names that look like credentials masked. A value the plan's `drop_property` policy removed is
 * read from `dropped` (the verdict's removed values, by pointer). Undefined when there is nothing
 * at the path (a missing property).
 */
export function sampleValue(
  checked: Record<string, unknown> | undefined,
  pointer: string,
  dropped?: ReadonlyMap<string, unknown>,
): string | undefined {
  if (pointer === '') return undefined;
  let found = lookUp(checked, pointer);
  if (!found && dropped) {
    for (const [at, value] of dropped) {
      if (pointer !== at && !pointer.startsWith(`${at}/`)) continue;
      found = lookUp(value, pointer.slice(at.length), unescape(at.slice(at.lastIndexOf('/') + 1)));
      break;
    }
  }
  if (!found) return undefined;
  const { value, name } = found;
  if (CREDENTIAL_NAME.test(name)) return SECRET_MASK;
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (typeof value === 'object' && value !== null) return `{${Object.keys(value).length} properties}`;
  const json = JSON.stringify(value);
  return json.length > MAX_CHARS ? `${json.slice(0, MAX_CHARS)}…` : json;
}

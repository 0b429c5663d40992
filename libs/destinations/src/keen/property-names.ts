import { isPlainObject, type Notices } from '@manifold/destination-kit';

// Keen refuses property names (at any depth) that are empty, 256 characters or longer, hold a
// `.` (it reads dots as nesting) or start with `$`. Such names are rewritten — every `.` and a
// leading `$` become `_` — with a notice; a rewritten name that is already taken, and a name too
// long, are left out with one. Lists are walked, so objects inside them follow the same rules.

const MAX_NAME_CHARS = 255;

function validName(name: string): string {
  return name.replace(/\./g, '_').replace(/^\$/, '_');
}

export function keenValue(value: unknown, field: string, notices: Notices): unknown {
  if (Array.isArray(value)) return value.map((item, i) => keenValue(item, `${field}[${i}]`, notices));
  if (!isPlainObject(value)) return value;
  return keenObject(value, field, notices);
}

/** An object with every property name Keen refuses rewritten or left out. */
export function keenObject(object: Record<string, unknown>, field: string, notices: Notices): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const renamed: [string, string, unknown][] = [];
  for (const [key, value] of Object.entries(object)) {
    const path = `${field}.${key}`;
    if (key === '') notices.dropped(path, 'empty property name');
    else if (key.length > MAX_NAME_CHARS)
      notices.dropped(path, `property name longer than ${MAX_NAME_CHARS} characters`);
    else if (validName(key) !== key) renamed.push([key, path, value]);
    else out[key] = keenValue(value, path, notices);
  }
  // Valid names first, so a rewritten name never displaces one the user sent as is.
  for (const [key, path, value] of renamed) {
    const name = validName(key);
    if (name in out) {
      notices.dropped(path, `its Keen name ${name} is taken`);
      continue;
    }
    notices.reshaped(path, 'property name rewritten (. and a leading $ to _)');
    out[name] = keenValue(value, path, notices);
  }
  return out;
}

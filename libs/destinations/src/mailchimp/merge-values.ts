import { isPlainObject, valueType, type Notices } from '@manifold/destination-kit';

// Traits as Mailchimp merge fields. A merge tag is at most 10 characters, upper case, of letters,
// digits and `_`; as Segment's classic destination, a trait's tag is its name without
// underscores (and other characters Mailchimp does not take), upper-cased, cut to 10
// characters. Values are text or numbers: booleans and lists go as JSON text (a notice), objects
// are flattened (`prefs.color` → tag of `prefs_color`). Two traits with the same tag: the first
// is sent, the other left out with a notice.

export type MergeValue = string | number;

/** Merge tags Mailchimp reserves (not for custom fields). */
const RESERVED = new Set(['EMAIL', 'INTERESTS', 'UNSUB', 'FORWARD', 'REWARDS', 'ARCHIVE', 'USER_URL', 'DATE']);

export function mergeTag(name: string): string {
  return name
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 10);
}

/** Merge values by tag from traits (without the keys in `skip`), with the trait name each came from. */
export function mergeValues(
  traits: Record<string, unknown>,
  skip: readonly string[],
  notices: Notices,
): Record<string, { name: string; value: MergeValue }> {
  const out: Record<string, { name: string; value: MergeValue }> = {};
  const add = (name: string, value: unknown) => {
    const field = `merge_fields.${name}`;
    if (value === null || value === undefined) return;
    if (isPlainObject(value)) {
      notices.reshaped(field, `object flattened to ${name}_…`);
      for (const [key, inner] of Object.entries(value)) add(`${name}_${key}`, inner);
      return;
    }
    const tag = mergeTag(name);
    if (tag === '' || /^\d/.test(tag) || RESERVED.has(tag)) {
      notices.dropped(field, 'no merge tag Mailchimp takes can be made of this name');
      return;
    }
    if (out[tag]) {
      notices.dropped(field, `merge tag ${tag} already taken by ${out[tag].name}`);
      return;
    }
    if (tag !== name.toUpperCase()) notices.reshaped(field, `sent as merge tag ${tag}`);
    if (typeof value === 'number' && Number.isFinite(value)) out[tag] = { name, value };
    else if (typeof value === 'string') out[tag] = { name, value };
    else {
      notices.converted(field, valueType(value), 'string');
      out[tag] = { name, value: JSON.stringify(value) };
    }
  };
  for (const [name, value] of Object.entries(traits)) if (!skip.includes(name)) add(name, value);
  return out;
}

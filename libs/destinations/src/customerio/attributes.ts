import type { Notices } from '@manifold/destination-kit';

// Customer.io's limits on a person's or an object's attributes: at most
// 300 per call, names of at most 150 bytes, values of at most 1000 bytes (as JSON for lists and
// objects). One attribute over a limit would make Customer.io refuse the whole call, so only that
// attribute is left out, with a notice.

const MAX_ATTRIBUTES = 300;
const MAX_NAME_BYTES = 150;
const MAX_VALUE_BYTES = 1000;

const bytes = (value: unknown) => Buffer.byteLength(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/** The attributes Customer.io takes; each one left out is recorded under `attributes.<name>`. */
export function withinAttributeLimits(attributes: Record<string, unknown>, notices: Notices): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [name, value] of Object.entries(attributes)) {
    const field = `attributes.${name}`;
    if (bytes(name) > MAX_NAME_BYTES) notices.dropped(field, `name longer than ${MAX_NAME_BYTES} bytes`);
    else if (value !== null && bytes(value) > MAX_VALUE_BYTES) {
      notices.dropped(field, `value longer than ${MAX_VALUE_BYTES} bytes`);
    } else if (count >= MAX_ATTRIBUTES) notices.dropped(field, `more than ${MAX_ATTRIBUTES} attributes`);
    else {
      out[name] = value;
      count++;
    }
  }
  return out;
}

import { DropEventError, type Notices } from '@manifold/destination-kit';

// GA4 ignores, with a 2xx like everything else, a Measurement Protocol body of 130 kB or more
// (libs/destinations/src/ga4/README.md#body-size). Every string of an event is already cut to
// GA4's lengths and params are at most 25, so what makes a body that big is a long list of items
// (an order with very many products) or an unbounded identifier. The translator brings the body
// under the limit itself:
// 1. the trailing items are left out (one is always kept: e-commerce events need items), with one
//    notice saying how many;
// 2. then, while still too big, the largest optional part: `user_id`, one of the event's own
//    params (not the action's standard ones), or one user property, each with a notice;
// 3. a body still too big (a huge client_id, which GA4 needs) drops the event with the reason.

/** "Under 130 kB", read as 130,000 bytes: the stricter of the two readings of a kB. */
export const MAX_BODY_BYTES = 130_000;
const REASON = "the body would pass GA4's 130 kB limit";

export interface Ga4Body {
  client_id?: string;
  app_instance_id?: string;
  user_id?: string | null;
  timestamp_micros: number;
  user_properties?: Record<string, unknown>;
  events: { name: string; params: Record<string, unknown> }[];
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');

/** What of a body may be left out beyond trailing items. */
export interface Optional {
  /** The event's own params (not the action's standard ones). */
  params: readonly string[];
  /** False when the user properties are what the event is for (identify). */
  userProperties: boolean;
}

/**
 * `body` (changed in place) under GA4's body limit, as described above; `size` is its current
 * serialized size in bytes. Throws DropEventError when it cannot fit.
 */
export function fitBody(body: Ga4Body, size: number, optional: Optional, notices: Notices): Ga4Body {
  const params = body.events[0]?.params ?? {};
  const items = params['items'];
  if (Array.isArray(items) && items.length > 1) {
    // Leaving out the last of k ≥ 2 items removes exactly "," and its JSON from the body.
    let keep = items.length;
    while (keep > 1 && size >= MAX_BODY_BYTES) {
      keep -= 1;
      size -= bytes(items[keep]) + 1;
    }
    if (keep < items.length) {
      params['items'] = items.slice(0, keep);
      notices.dropped(
        'params.items',
        `${items.length - keep} of ${items.length} items left out (the last ones): ${REASON}`,
      );
    }
  }
  while (size >= MAX_BODY_BYTES) {
    const largest = largestOptional(body, params, optional);
    if (!largest) break;
    largest.remove();
    notices.dropped(largest.field, REASON);
    size = bytes(body);
  }
  if (size >= MAX_BODY_BYTES) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      `GA4 ignores bodies of 130 kB or more: this event's is ${size} bytes even with one item and no optional field` +
        ` (client_id or app_instance_id of ${bytes(body.client_id ?? body.app_instance_id)} bytes)`,
    );
  }
  return body;
}

interface Part {
  field: string;
  size: number;
  remove: () => void;
}

function largestOptional(body: Ga4Body, params: Record<string, unknown>, optional: Optional): Part | undefined {
  const parts: Part[] = [];
  if (typeof body.user_id === 'string') {
    parts.push({ field: 'user_id', size: bytes(body.user_id), remove: () => delete body.user_id });
  }
  for (const key of optional.params) {
    if (key in params)
      parts.push({ field: `params.${key}`, size: bytes(params[key]), remove: () => delete params[key] });
  }
  const properties = body.user_properties;
  if (properties && optional.userProperties) {
    for (const name of Object.keys(properties)) {
      parts.push({
        field: `user_properties.${name}`,
        size: bytes(properties[name]),
        remove: () => {
          delete properties[name];
          if (Object.keys(properties).length === 0) delete body.user_properties;
        },
      });
    }
  }
  let largest: Part | undefined;
  for (const part of parts) if (!largest || part.size > largest.size) largest = part;
  return largest;
}

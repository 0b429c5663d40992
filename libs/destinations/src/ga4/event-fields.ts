import { z } from 'zod';
import { coalesce, compact, epochMs, isoDateTime, record, soft } from '../common/fields';
import { checkEventName, checkParams, customEventName, MAX_PARAMS } from './rules';
import type { Ga4Settings } from './settings';
import { jsonRequest, joinUrl, type RequestDescriptor, DropEventError } from '@manifold/destination-kit';

/** A GA4 item (destination-apis.md §4.5): needs item_id or item_name. */
export const item = z
  .object({
    item_id: soft.string(),
    item_name: soft.string(),
    affiliation: soft.string(),
    coupon: soft.string(),
    index: soft.number(),
    item_brand: soft.string(),
    item_category: soft.string(),
    item_variant: soft.string(),
    price: soft.number(),
    quantity: soft.number(),
  })
  .refine((i) => Boolean(i.item_id || i.item_name), { message: 'each item needs item_id or item_name' });

/** Segment product → GA4 item. */
export const itemShape = {
  item_id: { '@path': '$.product_id' },
  item_name: { '@path': '$.name' },
  affiliation: { '@path': '$.affiliation' },
  coupon: { '@path': '$.coupon' },
  index: { '@path': '$.position' },
  item_brand: { '@path': '$.brand' },
  item_category: { '@path': '$.category' },
  item_variant: { '@path': '$.variant' },
  price: { '@path': '$.price' },
  quantity: { '@path': '$.quantity' },
} as const;

/** Fields every GA4 action shares: who, when, and the event's name and params. */
export const commonFields = {
  client_id: soft.string(),
  app_instance_id: soft.string(),
  user_id: soft.string(),
  timestamp: isoDateTime(),
  name: z.string().min(1),
  params: record(),
  engagement_time_msec: z.number().int().min(0).default(1),
  session_id: z
    .union([z.number(), z.string().regex(/^\d+$/)])
    .nullish()
    .catch(undefined),
  user_properties: record(),
};

export const commonMapping = {
  client_id: coalesce('$.userId', '$.anonymousId'),
  app_instance_id: { '@path': '$.integrations.Google Analytics 4.app_instance_id' },
  timestamp: coalesce('$.timestamp', '$.receivedAt'),
  name: { '@path': '$.event' },
  params: { '@path': '$.properties' },
  engagement_time_msec: { '@literal': 1 },
  session_id: { '@path': '$.integrations.Google Analytics 4.session_id' },
} as const;

type Common = z.output<z.ZodObject<typeof commonFields>>;

/**
 * The /mp/collect request for one event: `params` (the event's own) under the standard ones;
 * `custom` marks names taken from the Spec event, which get Segment's name normalisation.
 */
export function collectRequest(
  payload: Common,
  standardParams: Record<string, unknown>,
  settings: Ga4Settings,
  options: { custom?: boolean; items?: z.output<typeof item>[] } = {},
): RequestDescriptor[] {
  const name = options.custom ? customEventName(payload.name, settings.lowercaseEventNames) : payload.name;
  checkEventName(name);
  const params = {
    ...checkParams(payload.params, name),
    ...checkParams(standardParams, name),
    ...checkParams(
      compact({ engagement_time_msec: payload.engagement_time_msec, session_id: payload.session_id }),
      name,
    ),
  };
  if (Object.keys(params).length > MAX_PARAMS) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      `GA4 event "${name}" has ${Object.keys(params).length} params (max ${MAX_PARAMS})`,
    );
  }
  const items = options.items?.map((i) => checkParams(compact(i), `${name} item`));
  const app = settings.firebaseAppId !== undefined;
  const id = app ? payload.app_instance_id : payload.client_id;
  if (!id) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      app ? 'GA4 app streams need an app_instance_id' : 'GA4 needs a client_id (no userId or anonymousId)',
    );
  }
  const userProperties = Object.fromEntries(
    Object.entries(payload.user_properties)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => [k, { value: v }]),
  );
  const body = {
    ...(app ? { app_instance_id: id } : { client_id: id }),
    ...compact({ user_id: payload.user_id }),
    timestamp_micros: epochMs(payload.timestamp) * 1000,
    ...(Object.keys(userProperties).length > 0 ? { user_properties: userProperties } : {}),
    events: [{ name, params: items && items.length > 0 ? { ...params, items } : params }],
  };
  const stream = app
    ? `firebase_app_id=${settings.firebaseAppId}`
    : `measurement_id=${encodeURIComponent(settings.measurementId ?? '')}`;
  // Firebase ids contain ":" and go unencoded, as Segment sends them (destination-apis.md §4.1).
  const url = `${joinUrl(settings.apiBaseUrl, '/mp/collect')}?${stream}&api_secret=${encodeURIComponent(settings.apiSecret)}`;
  return [jsonRequest('POST', url, body)];
}

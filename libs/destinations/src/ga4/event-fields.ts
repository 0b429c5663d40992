import { z } from 'zod';
import { DropEventError, jsonRequest, joinUrl, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { coalesce, compact, epochMs, isoDateTime, record, soft } from '../common/fields';
import {
  checkEventAge,
  checkEventName,
  customEventName,
  eventTimeParam,
  limitParams,
  MAX_CUSTOM_ITEM_PARAMS,
  MAX_PARAMS,
  shapeParams,
} from './rules';
import { fitBody, MAX_BODY_BYTES, type Ga4Body } from './body-limit';
import type { Ga4Settings } from './settings';
import { userPropertiesOf } from './user-properties';

/**
 * A GA4 item (see src/ga4/README.md): needs item_id or item_name. Values of another type are
 * converted (a numeric product_id to text, a price "12.50" to a number) or left out with a notice.
 */
export const item = z
  .object({
    item_id: soft.string(),
    item_name: soft.string(),
    affiliation: soft.string(),
    coupon: soft.string(),
    index: soft.integer(),
    item_brand: soft.string(),
    item_category: soft.string(),
    item_variant: soft.string(),
    price: soft.number(),
    quantity: soft.integer(),
    /** The whole Segment product: its fields without a GA4 equivalent become custom item params. */
    product: soft.object(),
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
  product: { '@path': '$.' },
} as const;

/** Spec product fields that `itemShape` maps to GA4's own item params. */
const MAPPED_PRODUCT_FIELDS = new Set(Object.values(itemShape).map((m) => m['@path'].slice(2)));
/** Order fields of a single-product event's properties (the product is the properties): not item params. */
const ORDER_FIELDS = new Set(['currency', 'value', 'products', 'order_id', 'cart_id', 'total', 'revenue']);

type Item = z.output<typeof item>;

/**
 * Fields every GA4 action shares: who, when, the event's name and params, and the user's traits
 * as user properties.
 */
export const commonFields = {
  client_id: soft.string(),
  app_instance_id: soft.string(),
  user_id: soft.string(),
  timestamp: isoDateTime(),
  /** When Manifold received the event: GA4's 72-hour rule is checked against it (no clock is read). */
  received_at: isoDateTime().optional(),
  name: z.string().min(1),
  params: record(),
  engagement_time_msec: z.number().int().min(0).default(1),
  session_id: soft.integer(),
  user_properties: record(),
};

export const commonMapping = {
  client_id: coalesce('$.userId', '$.anonymousId'),
  app_instance_id: { '@path': '$.integrations.Google Analytics 4.app_instance_id' },
  user_id: { '@path': '$.userId' },
  timestamp: coalesce('$.timestamp', '$.receivedAt'),
  received_at: { '@path': '$.receivedAt' },
  name: { '@path': '$.event' },
  params: { '@path': '$.properties' },
  engagement_time_msec: { '@literal': 1 },
  session_id: { '@path': '$.integrations.Google Analytics 4.session_id' },
  user_properties: { '@path': '$.context.traits' },
} as const;

type Common = z.output<z.ZodObject<typeof commonFields>>;

/**
 * The /mp/collect request for one event: the standard params of the action, then the event's own
 * (`params`) as far as GA4 takes them; `custom` marks names taken from the Spec event, which get
 * Segment's name normalisation. What GA4 cannot take is left out or reshaped with a notice.
 * `userPropertiesRequired`: the event only carries user properties (identify), none is nothing to send.
 */
export function collectRequest(
  payload: Common,
  standardParams: Record<string, unknown>,
  settings: Ga4Settings,
  notices: Notices,
  options: { custom?: boolean; items?: Item[]; userPropertiesRequired?: boolean } = {},
): RequestDescriptor[] {
  const name = options.custom ? customEventName(payload.name, settings.lowercaseEventNames) : payload.name;
  const app = settings.firebaseAppId !== undefined;
  checkEventName(name, app ? 'app' : 'web');
  checkEventAge(payload.timestamp, payload.received_at);
  const required: Record<string, unknown> = {
    ...shapeParams(standardParams, 'params', notices),
    ...compact({ engagement_time_msec: payload.engagement_time_msec, session_id: payload.session_id }),
  };
  const items = options.items?.map((i, index) => itemParams(i, `params.items[${index}]`, notices));
  if (items && items.length > 0) required['items'] = items;
  const own = { ...payload.params };
  if ('timestamp_micros' in own) {
    own['timestamp_micros'] = eventTimeParam(
      own['timestamp_micros'],
      payload.received_at,
      'params.timestamp_micros',
      notices,
    );
  }
  const params = limitParams(required, shapeParams(own, 'params', notices), MAX_PARAMS, 'params', notices);
  const id = app ? payload.app_instance_id : payload.client_id;
  if (!id) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      app ? 'GA4 app streams need an app_instance_id' : 'GA4 needs a client_id (no userId or anonymousId)',
    );
  }
  const userProperties = userPropertiesOf(payload.user_properties, notices);
  if (options.userPropertiesRequired && Object.keys(userProperties).length === 0) {
    throw new DropEventError('NOTHING_TO_SEND', 'GA4: no trait can be a user property');
  }
  const body: Ga4Body = {
    ...(app ? { app_instance_id: id } : { client_id: id }),
    ...compact({ user_id: payload.user_id }),
    timestamp_micros: epochMs(payload.timestamp) * 1000,
    ...(Object.keys(userProperties).length > 0 ? { user_properties: userProperties } : {}),
    events: [{ name, params }],
  };
  const stream = app
    ? `firebase_app_id=${settings.firebaseAppId}`
    : `measurement_id=${encodeURIComponent(settings.measurementId ?? '')}`;
  // Firebase ids contain ":" and go unencoded, as Segment sends them
  // (libs/destinations/src/ga4/README.md#the-api).
  const url = `${joinUrl(settings.apiBaseUrl, '/mp/collect')}?${stream}&api_secret=${encodeURIComponent(settings.apiSecret)}`;
  const request = jsonRequest('POST', url, body);
  const size = Buffer.byteLength(request.body ?? '');
  if (size < MAX_BODY_BYTES) return [request];
  const optional = {
    params: Object.keys(params).filter((key) => !(key in required)),
    userProperties: !options.userPropertiesRequired,
  };
  return [jsonRequest('POST', url, fitBody(body, size, optional, notices))];
}

/** One item's params: GA4's own, then the product's other fields as custom params (at most 10). */
function itemParams(i: Item, where: string, notices: Notices): Record<string, unknown> {
  const { product, ...standard } = i;
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(product ?? {})) {
    if (!MAPPED_PRODUCT_FIELDS.has(key) && !ORDER_FIELDS.has(key)) custom[key] = value;
  }
  const required = shapeParams(compact(standard), where, notices);
  const max = Object.keys(required).length + MAX_CUSTOM_ITEM_PARAMS;
  const reason = `more than ${MAX_CUSTOM_ITEM_PARAMS} custom item params`;
  return limitParams(required, shapeParams(custom, where, notices), max, where, notices, reason);
}

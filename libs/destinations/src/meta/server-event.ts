import { z } from 'zod';
import {
  DropEventError,
  joinUrl,
  jsonRequest,
  lenient,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { coalesce, compact, isoDateTime, optionalText, record } from '../common/fields';
import { appData } from './app-data';
import { ACTION_SOURCES, type ActionSource, type MetaSettings } from './settings';
import { hashedUserData } from './user-data';

// One server event of POST /{pixel}/events: what every action shares (the event's name, time,
// id for deduplication with the pixel, where it happened, and who did it) and the request.

/** Properties read into user_data (sent hashed or as Meta's raw keys), never repeated in custom_data. */
export const USER_PROPERTIES = ['email', 'phone', 'fbc', 'fbp', 'action_source'];

export const serverEventFields = {
  eventName: z.string().min(1),
  eventTime: isoDateTime(),
  eventId: optionalText(),
  actionSource: lenient.string(),
  eventSourceUrl: lenient.string(),
  optOut: lenient.boolean(),
  user: z.object({
    email: z.unknown().optional(),
    phone: z.unknown().optional(),
    firstName: z.unknown().optional(),
    lastName: z.unknown().optional(),
    gender: z.unknown().optional(),
    birthday: z.unknown().optional(),
    city: z.unknown().optional(),
    state: z.unknown().optional(),
    zip: z.unknown().optional(),
    country: z.unknown().optional(),
    externalId: z.unknown().optional(),
    clientIpAddress: lenient.string(),
    clientUserAgent: lenient.string(),
    fbc: lenient.string(),
    fbp: lenient.string(),
  }),
  context: record(),
  properties: record(),
};

const traits = (key: string, fallback: string) => coalesce(`$.context.traits.${key}`, fallback);

export const serverEventMapping = {
  eventTime: { '@path': '$.timestamp' },
  eventId: { '@path': '$.messageId' },
  actionSource: { '@path': '$.properties.action_source' },
  eventSourceUrl: coalesce('$.context.page.url', '$.properties.url'),
  user: {
    email: traits('email', '$.properties.email'),
    phone: traits('phone', '$.properties.phone'),
    firstName: traits('firstName', '$.context.traits.first_name'),
    lastName: traits('lastName', '$.context.traits.last_name'),
    gender: { '@path': '$.context.traits.gender' },
    birthday: { '@path': '$.context.traits.birthday' },
    city: { '@path': '$.context.traits.address.city' },
    state: { '@path': '$.context.traits.address.state' },
    zip: traits('address.postalCode', '$.context.traits.address.postal_code'),
    country: traits('address.country', '$.context.location.country'),
    externalId: coalesce('$.userId', '$.anonymousId'),
    clientIpAddress: { '@path': '$.context.ip' },
    clientUserAgent: { '@path': '$.context.userAgent' },
    fbc: { '@path': '$.properties.fbc' },
    fbp: { '@path': '$.properties.fbp' },
  },
  context: { '@path': '$.context' },
  properties: { '@path': '$.properties' },
} as const;

export const serverEventSchema = z.object(serverEventFields);
export type ServerEventPayload = z.output<typeof serverEventSchema>;

function actionSource(payload: ServerEventPayload, settings: MetaSettings, notices: Notices): ActionSource {
  const given = payload.actionSource;
  if (given === undefined || given === null) return settings.actionSource;
  if ((ACTION_SOURCES as readonly string[]).includes(given)) return given as ActionSource;
  notices.dropped('action_source', `not one of Meta's action sources (${settings.actionSource} used)`);
  return settings.actionSource;
}

/** One element of `data`: the shared fields and `custom_data`. */
export function serverEvent(
  payload: ServerEventPayload,
  customData: Record<string, unknown> | undefined,
  settings: MetaSettings,
  notices: Notices,
): Record<string, unknown> {
  const source = actionSource(payload, settings, notices);
  const { clientIpAddress, clientUserAgent, fbc, fbp, ...identifying } = payload.user;
  const userData = {
    ...hashedUserData(identifying, notices),
    ...compact({ client_ip_address: clientIpAddress, client_user_agent: clientUserAgent, fbc, fbp }),
  };
  if (Object.keys(userData).length === 0) {
    throw new DropEventError('INVALID_PAYLOAD', 'Meta needs user_data: no userId, email, phone, IP or user agent');
  }
  if (source === 'website') {
    if (!payload.eventSourceUrl) {
      throw new DropEventError('INVALID_PAYLOAD', 'Meta website events need event_source_url (context.page.url)');
    }
    if (!clientUserAgent) {
      throw new DropEventError(
        'INVALID_PAYLOAD',
        'Meta website events need user_data.client_user_agent (context.userAgent)',
      );
    }
  }
  return compact({
    event_name: payload.eventName,
    event_time: Math.floor(Date.parse(payload.eventTime) / 1000),
    event_id: payload.eventId,
    action_source: source,
    event_source_url: payload.eventSourceUrl,
    opt_out: payload.optOut,
    user_data: userData,
    custom_data: customData && Object.keys(customData).length > 0 ? customData : undefined,
    app_data: source === 'app' ? appData(payload.context) : undefined,
    ...(settings.limitedDataUse
      ? { data_processing_options: ['LDU'], data_processing_options_country: 0, data_processing_options_state: 0 }
      : {}),
  });
}

/**
 * POST /{version}/{pixel}/events with the events as `data` (element i is event i of the batch, which
 * `itemEvents` says, so an error naming `data[i]` finds its event); the token as a Bearer header
 * (kept out of URLs).
 */
export function eventsRequest(events: Record<string, unknown>[], settings: MetaSettings): RequestDescriptor {
  const request = jsonRequest(
    'POST',
    joinUrl(settings.apiBaseUrl, `/${settings.apiVersion}/${settings.pixelId}/events`),
    compact({ data: events, test_event_code: settings.testEventCode }),
    { authorization: `Bearer ${settings.accessToken}` },
  );
  return events.length > 1 ? { ...request, itemEvents: events.map((_event, index) => index) } : request;
}

/** The properties left for custom_data: all but those read into user_data. */
export function customProperties(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([key]) => !USER_PROPERTIES.includes(key)));
}

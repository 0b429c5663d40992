import { z } from 'zod';
import {
  coerce,
  DeadLetterError,
  defineAction,
  DropEventError,
  lenient,
  type Notices,
} from '@manifold/destination-kit';
import { compact, record, optionalText } from '../common/fields';
import { intercomRequest, searchContact } from './api';
import { flatMetadata } from './metadata';
import { intercomSettings, type IntercomSettings } from './settings';

// Track → POST /events (Segment's trackEvent): event_name, created_at in Unix seconds, the user
// by user_id; metadata = properties without email, revenue and currency, plus `price` as money
// in cents when there is revenue (first, so Intercom's 10-key limit never cuts it). Revenue sent
// as text is converted; with a currency that is not an ISO 4217 code there is no money to make,
// and revenue and currency go as plain metadata instead. With only an email the contact is
// searched first and the event sent with its Intercom id (leads have no user_id).

export const TRACK_STEP = 'track-event';

const fields = z.object({
  eventName: z.string().min(1),
  createdAt: lenient.timestamp(),
  userId: optionalText(),
  email: lenient.email(),
  revenue: lenient.number(),
  currency: lenient.string(),
  metadata: record(),
});

export type TrackPayload = z.output<typeof fields>;

/** The `price` money of the revenue, or revenue and currency as plain metadata when the currency is no code. */
function revenueMetadata(payload: TrackPayload, notices: Notices): Record<string, unknown> {
  if (payload.revenue === undefined || payload.revenue === null) return {};
  const currency = payload.currency ? coerce.currency(payload.currency) : { ok: true as const, value: 'USD' };
  // Intercom money is an integer amount of cents.
  if (currency.ok) return { price: { amount: Math.round(payload.revenue * 100), currency: currency.value } };
  notices.dropped('metadata.price', `currency ${currency.reason}: revenue and currency sent as plain metadata`);
  return { revenue: payload.revenue, currency: payload.currency };
}

function eventBody(payload: TrackPayload, who: Record<string, string>, notices: Notices): Record<string, unknown> {
  const { email: _email, revenue: _revenue, currency: _currency, ...rest } = payload.metadata;
  const metadata = flatMetadata(revenueMetadata(payload, notices), rest, notices);
  return compact({
    event_name: payload.eventName,
    created_at: payload.createdAt ? Math.floor(Date.parse(payload.createdAt) / 1000) : undefined,
    ...who,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
  });
}

function perform(payload: TrackPayload, settings: IntercomSettings, notices: Notices) {
  if (!payload.createdAt) throw new DropEventError('INVALID_PAYLOAD', 'Intercom events need a time (timestamp)');
  if (payload.userId) {
    const who = compact({ user_id: payload.userId, email: payload.email }) as Record<string, string>;
    return [intercomRequest(settings, 'POST', '/events', eventBody(payload, who, notices))];
  }
  if (!payload.email) {
    throw new DropEventError('INVALID_PAYLOAD', 'Intercom events need a user: no userId and no properties.email');
  }
  return [
    searchContact(
      settings,
      { email: payload.email },
      { step: TRACK_STEP, state: { event: eventBody(payload, {}, notices), email: payload.email } },
    ),
  ];
}

export const trackEvent = defineAction(intercomSettings, {
  title: 'Track event',
  description: 'Track: submits a data event for the contact (by userId, or the contact found by email).',
  fields,
  defaultMapping: {
    eventName: { '@path': '$.event' },
    createdAt: { '@path': '$.timestamp' },
    userId: { '@path': '$.userId' },
    email: { '@path': '$.properties.email' },
    revenue: { '@path': '$.properties.revenue' },
    currency: { '@path': '$.properties.currency' },
    metadata: { '@path': '$.properties' },
  },
  perform,
});

/**
 * After the email search: the event for the one contact found. None or several is final, as
 * Segment's 404 "No unique contact found" (dead-lettered, so it can be replayed).
 */
export function trackFollowUp(contactId: string | undefined, state: unknown, settings: IntercomSettings) {
  const { event, email } = state as { event: Record<string, unknown>; email: string };
  if (!contactId) throw new DeadLetterError('REJECTED', `no unique Intercom contact has the email ${email}`, 404);
  return [intercomRequest(settings, 'POST', '/events', { ...event, id: contactId })];
}

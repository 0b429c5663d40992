import { z } from 'zod';
import { DeadLetterError, defineAction, DropEventError } from '@manifold/destination-kit';
import { compact, record } from '../common/fields';
import { intercomRequest, searchContact } from './api';
import { flatMetadata } from './metadata';
import { optionalNumber, optionalText, optionalUnixSeconds } from './optional';
import { intercomSettings, type IntercomSettings } from './settings';

// Track → POST /events (Segment's trackEvent): event_name, created_at in Unix seconds, the user
// by user_id; metadata = properties without email, revenue and currency, plus `price` as money
// in cents when there is revenue. With only an email the contact is searched first and the
// event sent with its Intercom id (leads have no user_id).

export const TRACK_STEP = 'track-event';

const fields = z.object({
  eventName: z.string().min(1),
  createdAt: optionalUnixSeconds().pipe(z.number()),
  userId: optionalText(),
  email: optionalText(),
  revenue: optionalNumber(),
  currency: optionalText(),
  metadata: record(),
});

export type TrackPayload = z.output<typeof fields>;

function eventBody(payload: TrackPayload, who: Record<string, string>): Record<string, unknown> {
  const { email: _email, revenue: _revenue, currency: _currency, ...rest } = payload.metadata;
  const metadata = flatMetadata(rest);
  if (payload.revenue !== undefined) {
    // Intercom money is an integer amount of cents.
    metadata['price'] = { amount: Math.round(payload.revenue * 100), currency: payload.currency ?? 'USD' };
  }
  return compact({
    event_name: payload.eventName,
    created_at: payload.createdAt,
    ...who,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
  });
}

function perform(payload: TrackPayload, settings: IntercomSettings) {
  if (payload.userId) {
    return [
      intercomRequest(
        settings,
        'POST',
        '/events',
        eventBody(payload, compact({ user_id: payload.userId, email: payload.email }) as Record<string, string>),
      ),
    ];
  }
  if (!payload.email) {
    throw new DropEventError('INVALID_PAYLOAD', 'Intercom events need a user: no userId and no properties.email');
  }
  return [
    searchContact(
      settings,
      { email: payload.email },
      { step: TRACK_STEP, state: { event: eventBody(payload, {}), email: payload.email } },
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

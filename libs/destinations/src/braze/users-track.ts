import type { z } from 'zod';
import { DropEventError, joinUrl, jsonRequest, type RequestDescriptor } from '@manifold/destination-kit';
import type { BrazeSettings } from './settings';

// POST /users/track (destination-apis.md §8): arrays `attributes`, `events`, `purchases` of at
// most 75 objects each, every object naming its user by external_id, braze_id, user_alias,
// email or phone.

export type TrackArray = 'attributes' | 'events' | 'purchases';
export const MAX_OBJECTS = 75;

export interface UserIdentity {
  externalId?: string | undefined;
  email?: string | undefined;
  brazeId?: string | undefined;
}

/** The identifier keys of a /users/track object; drops the event when it names nobody. */
export function identity(user: UserIdentity, what: string): Record<string, string> {
  if (!user.externalId && !user.email && !user.brazeId) {
    throw new DropEventError('INVALID_PAYLOAD', `Braze ${what} needs a userId (external_id), an email or a braze_id`);
  }
  const out: Record<string, string> = {};
  if (user.externalId) out['external_id'] = user.externalId;
  if (user.brazeId) out['braze_id'] = user.brazeId;
  if (user.email) out['email'] = user.email;
  return out;
}

/** Requests for the objects of several events, cut at 75 objects, mapped back by `itemEvents`. */
export function usersTrackRequests(
  array: TrackArray,
  perEvent: Record<string, unknown>[][],
  settings: BrazeSettings,
): RequestDescriptor[] {
  const entries = perEvent.flatMap((objects, event) => objects.map((object) => ({ object, event })));
  const requests: RequestDescriptor[] = [];
  for (let start = 0; start < entries.length; start += MAX_OBJECTS) {
    const chunk = entries.slice(start, start + MAX_OBJECTS);
    // Segment flags requests of several objects so Braze processes them as a batch.
    const headers: Record<string, string> = { authorization: `Bearer ${settings.apiKey}` };
    if (chunk.length > 1) headers['x-braze-batch'] = 'true';
    requests.push({
      ...jsonRequest(
        'POST',
        joinUrl(settings.apiBaseUrl, '/users/track'),
        { [array]: chunk.map((e) => e.object) },
        headers,
      ),
      itemEvents: chunk.map((e) => e.event),
    });
  }
  return requests;
}

/** `perform` + `batch` of an action whose events become objects of one /users/track array. */
export function usersTrackAction<F extends z.ZodObject, P = z.output<F>>(
  _fields: F,
  array: TrackArray,
  toObjects: (payload: P, settings: BrazeSettings) => Record<string, unknown>[],
) {
  return {
    perform: (payload: P, settings: BrazeSettings) =>
      usersTrackRequests(array, [toObjects(payload, settings)], settings),
    batch: {
      maxEvents: MAX_OBJECTS,
      size: (settings: BrazeSettings) => settings.batchSize,
      perform: (payloads: P[], settings: BrazeSettings) =>
        usersTrackRequests(
          array,
          payloads.map((payload) => toObjects(payload, settings)),
          settings,
        ),
    },
  };
}

/** An ISO-8601 instant as Braze wants it (milliseconds, Z). */
export function isoTime(value: string): string {
  return new Date(value).toISOString();
}

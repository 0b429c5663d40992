import type { z } from 'zod';
import { DropEventError, joinUrl, jsonRequest, Notices, type RequestDescriptor } from '@manifold/destination-kit';
import type { BrazeSettings } from './settings';

// POST /users/track: arrays `attributes`, `events`, `purchases` of at
// most 75 objects each, every object naming its user by external_id, braze_id, user_alias,
// email or phone.

export type TrackArray = 'attributes' | 'events' | 'purchases';
export const TRACK_ARRAYS: readonly TrackArray[] = ['attributes', 'events', 'purchases'];
export const MAX_OBJECTS = 75;

/** One object of a /users/track array. */
export interface TrackObject {
  array: TrackArray;
  object: Record<string, unknown>;
}

/** How an event names its user (null and missing read as absent, as lenient fields give them). */
export interface UserIdentity {
  externalId?: string | null | undefined;
  email?: string | null | undefined;
  brazeId?: string | null | undefined;
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

/**
 * Requests for the objects of several events: one request per array, cut at 75 objects, mapped
 * back to the events by `itemEvents` (so Braze's per-object errors land on the right event).
 */
export function usersTrackRequests(perEvent: TrackObject[][], settings: BrazeSettings): RequestDescriptor[] {
  const requests: RequestDescriptor[] = [];
  for (const array of TRACK_ARRAYS) {
    const entries = perEvent.flatMap((objects, event) =>
      objects.filter((o) => o.array === array).map((o) => ({ object: o.object, event })),
    );
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
  }
  return requests;
}

/** `perform` + `batch` of an action whose events become /users/track objects. */
export function usersTrackAction<F extends z.ZodObject, P = z.output<F>>(
  _fields: F,
  toObjects: (payload: P, settings: BrazeSettings, notices: Notices) => TrackObject[],
) {
  return {
    perform: (payload: P, settings: BrazeSettings, notices: Notices) =>
      usersTrackRequests([toObjects(payload, settings, notices)], settings),
    batch: {
      maxEvents: MAX_OBJECTS,
      size: (settings: BrazeSettings) => settings.batchSize,
      perform: (payloads: P[], settings: BrazeSettings, notices: readonly Notices[]) =>
        usersTrackRequests(
          payloads.map((payload, i) => toObjects(payload, settings, notices[i] ?? new Notices())),
          settings,
        ),
    },
  };
}

/** An ISO-8601 instant as Braze wants it (milliseconds, Z). */
export function isoTime(value: string): string {
  return new Date(value).toISOString();
}

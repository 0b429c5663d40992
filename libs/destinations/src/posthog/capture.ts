import { z } from 'zod';
import { DropEventError, joinUrl, jsonRequest, type RequestDescriptor } from '@manifold/destination-kit';
import { compact, isoDateTime, optionalText } from '../common/fields';
import { contextFields, contextMapping, contextProperties, type EventContext } from './context-properties';
import { eventUuid } from '../common/event-uuid';
import type { PosthogSettings } from './settings';

// What every captured event shares (libs/destinations/src/posthog/README.md#the-api): a distinct_id
// (the userId, or the anonymousId for visitors, who then get no person profile), the event time, a
// uuid derived from the messageId, the client IP.

export const captureFields = {
  userId: optionalText(),
  anonymousId: optionalText(),
  messageId: z.string().min(1),
  timestamp: isoDateTime(),
  ip: optionalText(),
  context: contextFields,
};

export const captureMapping = {
  userId: { '@path': '$.userId' },
  anonymousId: { '@path': '$.anonymousId' },
  messageId: { '@path': '$.messageId' },
  // Segment's preset sends receivedAt for track; the event's own (skew-corrected) time is what
  // PostHog charts should show, and identify already uses it.
  timestamp: { '@path': '$.timestamp' },
  ip: { '@path': '$.context.ip' },
  context: contextMapping,
} as const;

export interface CaptureBase {
  userId?: string | undefined;
  anonymousId?: string | undefined;
  messageId: string;
  timestamp: string;
  ip?: string | undefined;
  context?: EventContext;
}

/** Refinement: PostHog silently drops events without a distinct_id, so refuse them here, with a reason. */
export const hasDistinctId = (payload: { userId?: string | undefined; anonymousId?: string | undefined }) =>
  payload.userId !== undefined || payload.anonymousId !== undefined;

export const DISTINCT_ID_MESSAGE = 'PostHog needs a distinct_id: the event has neither userId nor anonymousId';

/**
 * One capture object: `properties` carries the context's $-properties, then the event's own
 * (which win), then distinct_id and the shared ones.
 */
export function captureEvent(
  event: string,
  base: CaptureBase,
  properties: Record<string, unknown>,
  settings: PosthogSettings,
  /** False for events whose point is the person profile ($set): never sent person-less. */
  personless = base.userId === undefined,
): Record<string, unknown> {
  return {
    event,
    properties: {
      ...contextProperties(base.context),
      ...properties,
      ...compact({
        distinct_id: base.userId ?? base.anonymousId,
        $ip: base.ip,
        $geoip_disable: settings.geoipDisable ? true : undefined,
        // A visitor without a userId is captured without creating a person profile.
        $process_person_profile: personless ? false : undefined,
      }),
    },
    timestamp: base.timestamp,
    uuid: eventUuid(base.messageId),
  };
}

/** PostHog refuses bodies of 20 MB or more (413); requests are cut well below. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024 - 64 * 1024;

/**
 * POST /batch/ requests for captured events (one per Spec event), cut before 20 MB, with
 * `itemEvents` mapping each batch element back to its event.
 */
export function batchRequests(events: Record<string, unknown>[], settings: PosthogSettings): RequestDescriptor[] {
  const requests: RequestDescriptor[] = [];
  let chunk: number[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    const body = {
      api_key: settings.apiKey,
      historical_migration: settings.historicalMigration,
      batch: chunk.map((i) => events[i]),
    };
    requests.push({ ...jsonRequest('POST', joinUrl(settings.apiBaseUrl, '/batch/'), body), itemEvents: chunk });
    chunk = [];
    bytes = 0;
  };
  events.forEach((event, i) => {
    const size = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (size > MAX_BODY_BYTES) {
      throw new DropEventError(
        'INVALID_PAYLOAD',
        `PostHog event is ${size} bytes; request bodies must stay under 20 MB`,
      );
    }
    if (bytes + size > MAX_BODY_BYTES) flush();
    chunk.push(i);
    bytes += size;
  });
  flush();
  return requests;
}

/** `perform` + `batch` of an action whose events go through /batch/. */
export function batchedCapture<F extends z.ZodObject, P = z.output<F>>(
  _fields: F,
  toEvent: (payload: P, settings: PosthogSettings) => Record<string, unknown>,
) {
  return {
    perform: (payload: P, settings: PosthogSettings) => batchRequests([toEvent(payload, settings)], settings),
    batch: {
      maxEvents: 1000,
      size: (settings: PosthogSettings) => settings.batchSize,
      perform: (payloads: P[], settings: PosthogSettings) =>
        batchRequests(
          payloads.map((payload) => toEvent(payload, settings)),
          settings,
        ),
    },
  };
}

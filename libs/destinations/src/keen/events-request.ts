import { DropEventError, joinUrl, jsonRequest, type RequestDescriptor } from '@manifold/destination-kit';
import type { KeenSettings } from './settings';

// The multiple-events endpoint: `{"<collection>": [event, …], …}`. Keen answers per collection
// and position, so `itemEvents` lists, in the body's own key order, which payload each event came
// from (a page call may add events to several collections). One event may be at most 900,000
// bytes and a request 10 MB: bodies are cut below that.

export const MAX_EVENT_BYTES = 900_000;
const MAX_BODY_BYTES = 10 * 1024 * 1024 - 64 * 1024;

export interface CollectedEvent {
  collection: string;
  event: Record<string, unknown>;
  /** Index of the payload (Spec event) it came from. */
  payload: number;
}

/** Positions of a body's events in the order Keen answers them: collections in key order, then position. */
export function bodyOrder<T>(body: Record<string, T[]>): [string, number][] {
  return Object.keys(body).flatMap((collection) =>
    (body[collection] ?? []).map((_, i): [string, number] => [collection, i]),
  );
}

function request(chunk: CollectedEvent[], settings: KeenSettings): RequestDescriptor {
  const body: Record<string, Record<string, unknown>[]> = {};
  const origins: Record<string, number[]> = {};
  for (const { collection, event, payload } of chunk) {
    (body[collection] ??= []).push(event);
    (origins[collection] ??= []).push(payload);
  }
  const url = joinUrl(settings.apiBaseUrl, `/3.0/projects/${encodeURIComponent(settings.projectId)}/events`);
  return {
    ...jsonRequest('POST', url, body, { authorization: settings.writeKey }),
    itemEvents: bodyOrder(body).map(([collection, i]) => origins[collection]?.[i] as number),
  };
}

export function eventsRequests(events: CollectedEvent[], settings: KeenSettings): RequestDescriptor[] {
  const requests: RequestDescriptor[] = [];
  let chunk: CollectedEvent[] = [];
  let bytes = 0;
  for (const item of events) {
    const size = Buffer.byteLength(JSON.stringify(item.event)) + Buffer.byteLength(item.collection) + 8;
    if (size > MAX_EVENT_BYTES) {
      throw new DropEventError('INVALID_PAYLOAD', `Keen event is ${size} bytes; Keen takes at most ${MAX_EVENT_BYTES}`);
    }
    if (bytes + size > MAX_BODY_BYTES && chunk.length > 0) {
      requests.push(request(chunk, settings));
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) requests.push(request(chunk, settings));
  return requests;
}

import {
  joinUrl,
  jsonRequest,
  parseJsonBody,
  type HttpResponseInfo,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { authHeaders, type HubspotSettings } from './settings';

// Custom event occurrences: one alone goes to POST /events/v3/send, several to
// POST /events/v3/send/batch ({"inputs": [occurrence, ...]}, at most 500). The batch answers 204
// with no body, and a 400 for the whole batch when one occurrence is invalid, without saying which:
// a refused batch is split in halves, sent again, and split again while refused, down to single
// sends, so only the refused occurrences are dead-lettered (with HubSpot's message) and the others
// delivered. Each occurrence keeps its `uuid`, so one sent again counts once.

/** HubSpot's cap on occurrences per batch request. */
export const MAX_EVENT_INPUTS = 500;
const SEND_PATH = '/events/v3/send';
const BATCH_PATH = '/events/v3/send/batch';
/** Refusals about the request rather than an occurrence (token, scopes, route): every part would get them too. */
const NOT_ABOUT_AN_OCCURRENCE = new Set([401, 403, 404]);

/** The request for occurrences of events `events` (payload indexes): a single send for one, a batch for more. */
export function occurrencesRequest(
  occurrences: readonly unknown[],
  events: readonly number[],
  settings: HubspotSettings,
): RequestDescriptor {
  return occurrencesRequestAt(settings.apiBaseUrl, occurrences, events, authHeaders(settings));
}

/** Requests for the occurrences of a batch of events (occurrence i from payload i), at most 500 each. */
export function eventBatchRequests(occurrences: readonly unknown[], settings: HubspotSettings): RequestDescriptor[] {
  const requests: RequestDescriptor[] = [];
  for (let start = 0; start < occurrences.length; start += MAX_EVENT_INPUTS) {
    const chunk = occurrences.slice(start, start + MAX_EVENT_INPUTS);
    requests.push(
      occurrencesRequest(
        chunk,
        chunk.map((_o, i) => start + i),
        settings,
      ),
    );
  }
  return requests;
}

/**
 * The halves of an events batch HubSpot refused whole (a half of one occurrence as a single
 * send), with the same headers; none for another request, a single occurrence, or a refusal every
 * part would get too.
 */
export function splitRefusedEvents(request: RequestDescriptor, response: HttpResponseInfo): RequestDescriptor[] {
  if (!request.url.endsWith(BATCH_PATH) || NOT_ABOUT_AN_OCCURRENCE.has(response.status)) return [];
  const inputs = (parseJsonBody(request.body ?? '') as { inputs?: unknown } | undefined)?.inputs;
  const events = request.itemEvents;
  if (!Array.isArray(inputs) || !events || inputs.length < 2 || events.length !== inputs.length) return [];
  const base = request.url.slice(0, -BATCH_PATH.length);
  const half = Math.ceil(inputs.length / 2);
  return [
    [0, half],
    [half, inputs.length],
  ].map(([from, to]) => ({
    ...occurrencesRequestAt(base, inputs.slice(from, to), events.slice(from, to), {}),
    headers: request.headers,
  }));
}

function occurrencesRequestAt(
  apiBaseUrl: string,
  occurrences: readonly unknown[],
  events: readonly number[],
  headers: Record<string, string>,
): RequestDescriptor {
  const single = occurrences.length === 1;
  const request = single
    ? jsonRequest('POST', joinUrl(apiBaseUrl, SEND_PATH), occurrences[0], headers)
    : jsonRequest('POST', joinUrl(apiBaseUrl, BATCH_PATH), { inputs: occurrences }, headers);
  return { ...request, itemEvents: [...events] };
}

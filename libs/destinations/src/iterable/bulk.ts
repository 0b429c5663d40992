import { joinUrl, jsonRequest, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import type { IterableSettings } from './settings';

// Iterable's JSON requests (Api-Key header) and its bulk endpoints: users/bulkUpdate and
// events/trackBulk take a list under one key, at most 1000 items and 4 MB per request. Lists are
// cut below both; `itemEvents` maps each item back to its event.

const MAX_BODY_BYTES = 4 * 1024 * 1024 - 16 * 1024;
export const MAX_BULK_ITEMS = 1000;

export function iterableRequest(path: string, body: unknown, settings: IterableSettings): RequestDescriptor {
  return jsonRequest('POST', joinUrl(settings.apiBaseUrl, path), body, { 'api-key': settings.apiKey });
}

export function bulkRequests(
  path: string,
  key: 'users' | 'events',
  items: Record<string, unknown>[],
  settings: IterableSettings,
): RequestDescriptor[] {
  const requests: RequestDescriptor[] = [];
  let chunk: number[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    requests.push({
      ...iterableRequest(path, { [key]: chunk.map((i) => items[i]) }, settings),
      itemEvents: chunk,
    });
    chunk = [];
    bytes = 0;
  };
  items.forEach((item, i) => {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (chunk.length === MAX_BULK_ITEMS || bytes + size > MAX_BODY_BYTES) flush();
    chunk.push(i);
    bytes += size;
  });
  flush();
  return requests;
}

/** `perform` (the single endpoint) and `batch` (the bulk one) of an action with one item per event. */
export function bulkAction<P>(
  single: string,
  bulk: string,
  key: 'users' | 'events',
  toItem: (payload: P, notices: Notices) => Record<string, unknown>,
) {
  return {
    perform: (payload: P, settings: IterableSettings, notices: Notices) => [
      iterableRequest(single, toItem(payload, notices), settings),
    ],
    batch: {
      maxEvents: MAX_BULK_ITEMS,
      size: (settings: IterableSettings) => settings.batchSize,
      perform: (payloads: P[], settings: IterableSettings, notices: readonly Notices[]) =>
        bulkRequests(
          bulk,
          key,
          payloads.map((payload, i) => toItem(payload, notices[i] as Notices)),
          settings,
        ),
    },
  };
}

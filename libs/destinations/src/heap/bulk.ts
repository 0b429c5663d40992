import { type z } from 'zod';
import { joinUrl, jsonRequest, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import type { HeapSettings } from './settings';

// Every Heap call goes out in its bulk form — `{app_id, events|users|accounts: [...]}`, up to
// 1000 items — so one event and a batch of them take the same path. One Spec event is one item.

export type BulkKind = 'events' | 'users' | 'accounts';

const PATHS: Record<BulkKind, string> = {
  events: '/api/track',
  users: '/api/add_user_properties',
  accounts: '/api/add_account_properties',
};

export function bulkRequest(
  kind: BulkKind,
  items: Record<string, unknown>[],
  settings: HeapSettings,
  itemEvents: number[] = items.map((_, i) => i),
): RequestDescriptor {
  return {
    ...jsonRequest('POST', joinUrl(settings.apiBaseUrl, PATHS[kind]), { app_id: settings.appId, [kind]: items }),
    itemEvents,
  };
}

/** What one payload adds to the bulk requests: an item of one or more kinds. */
export type BulkItems = Partial<Record<BulkKind, Record<string, unknown>>>;

function bulkRequests(perPayload: BulkItems[], settings: HeapSettings): RequestDescriptor[] {
  return (Object.keys(PATHS) as BulkKind[]).flatMap((kind) => {
    const items: Record<string, unknown>[] = [];
    const origins: number[] = [];
    perPayload.forEach((payloadItems, i) => {
      const item = payloadItems[kind];
      if (item) {
        items.push(item);
        origins.push(i);
      }
    });
    return items.length > 0 ? [bulkRequest(kind, items, settings, origins)] : [];
  });
}

/** `perform` + `batch` of an action whose payloads each become items of bulk requests (events first). */
export function bulkAction<F extends z.ZodObject, P = z.output<F>>(
  _fields: F,
  toItems: (payload: P, notices: Notices) => BulkItems,
) {
  return {
    perform: (payload: P, settings: HeapSettings, notices: Notices) =>
      bulkRequests([toItems(payload, notices)], settings),
    batch: {
      maxEvents: 1000,
      size: (settings: HeapSettings) => settings.batchSize,
      perform: (payloads: P[], settings: HeapSettings, notices: readonly Notices[]) =>
        bulkRequests(
          payloads.map((payload, i) => toItems(payload, notices[i] as Notices)),
          settings,
        ),
    },
  };
}

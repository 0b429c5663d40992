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
): RequestDescriptor {
  return {
    ...jsonRequest('POST', joinUrl(settings.apiBaseUrl, PATHS[kind]), { app_id: settings.appId, [kind]: items }),
    itemEvents: items.map((_, i) => i),
  };
}

/** `perform` + `batch` of an action whose payloads each become one item of a bulk request. */
export function bulkAction<F extends z.ZodObject, P = z.output<F>>(
  _fields: F,
  kind: BulkKind,
  toItem: (payload: P, notices: Notices) => Record<string, unknown>,
) {
  return {
    perform: (payload: P, settings: HeapSettings, notices: Notices) => [
      bulkRequest(kind, [toItem(payload, notices)], settings),
    ],
    batch: {
      maxEvents: 1000,
      size: (settings: HeapSettings) => settings.batchSize,
      perform: (payloads: P[], settings: HeapSettings, notices: readonly Notices[]) => [
        bulkRequest(
          kind,
          payloads.map((payload, i) => toItem(payload, notices[i] as Notices)),
          settings,
        ),
      ],
    },
  };
}

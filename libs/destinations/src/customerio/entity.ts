import type { z } from 'zod';
import {
  basicAuth,
  DropEventError,
  joinUrl,
  jsonRequest,
  Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import type { CustomerioSettings } from './settings';

// Track API v2: one entity per POST /api/v2/entity (≤ 32 KB), or
// `{"batch": [entity, …]}` per POST /api/v2/batch (≤ 500 KB in all, each entity ≤ 32 KB).

/** One v2 entity: `type` + `action`, with identifiers and whatever the action takes. */
export interface Entity {
  type: 'person' | 'object';
  action: string;
  identifiers?: Record<string, string>;
  [key: string]: unknown;
}

export const MAX_ENTITY_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
/** The API's cap on entities per /batch request (Segment's range is 2–100). */
export const MAX_BATCH_ENTITIES = 100;

export const ENTITY_PATH = '/api/v2/entity';
export const BATCH_PATH = '/api/v2/batch';

function auth(settings: CustomerioSettings): Record<string, string> {
  return { authorization: basicAuth(settings.siteId, settings.apiKey) };
}

/**
 * The entity's size in bytes, once it fits the 32 KB Customer.io takes: its largest attributes
 * are left out (with a notice) until it does; an entity that does not fit even without them is
 * dropped with the reason.
 */
function fittedBytes(entity: Entity, notices: Notices): number {
  let bytes = Buffer.byteLength(JSON.stringify(entity));
  const attributes = entity['attributes'];
  if (bytes > MAX_ENTITY_BYTES && attributes && typeof attributes === 'object') {
    const sizes = Object.entries(attributes as Record<string, unknown>)
      .map(([name, value]) => ({ name, size: Buffer.byteLength(JSON.stringify(value) ?? '') }))
      .sort((a, b) => b.size - a.size);
    const kept = { ...(attributes as Record<string, unknown>) };
    for (const { name } of sizes) {
      if (bytes <= MAX_ENTITY_BYTES) break;
      delete kept[name];
      notices.dropped(
        `attributes.${name}`,
        `the ${entity.type} ${entity.action} would exceed ${MAX_ENTITY_BYTES} bytes`,
      );
      entity['attributes'] = kept;
      bytes = Buffer.byteLength(JSON.stringify(entity));
    }
  }
  if (bytes > MAX_ENTITY_BYTES) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      `Customer.io ${entity.type} ${entity.action} is ${bytes} bytes; the Track API takes at most ${MAX_ENTITY_BYTES} per entity`,
    );
  }
  return bytes;
}

/**
 * Requests for the entities of several events (one event may need several entities, e.g. a
 * device and its event). One entity alone goes to /entity; otherwise /batch requests cut at 100
 * entities or 500 KB, with `itemEvents` mapping each batch entry back to its event.
 */
export function entityRequests(
  perEvent: Entity[][],
  settings: CustomerioSettings,
  notices: readonly Notices[],
): RequestDescriptor[] {
  const entries = perEvent.flatMap((entities, event) => entities.map((entity) => ({ entity, event })));
  const noticesOf = (event: number) => notices[event] ?? new Notices();
  const [only] = entries;
  if (entries.length === 1 && only) {
    fittedBytes(only.entity, noticesOf(only.event));
    return [jsonRequest('POST', joinUrl(settings.apiBaseUrl, ENTITY_PATH), only.entity, auth(settings))];
  }
  const requests: RequestDescriptor[] = [];
  let chunk: typeof entries = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    requests.push({
      ...jsonRequest(
        'POST',
        joinUrl(settings.apiBaseUrl, BATCH_PATH),
        { batch: chunk.map((e) => e.entity) },
        auth(settings),
      ),
      itemEvents: chunk.map((e) => e.event),
    });
    chunk = [];
    bytes = 0;
  };
  for (const entry of entries) {
    // +1 for the comma between entries; the envelope `{"batch":[]}` is 12 bytes.
    const size = fittedBytes(entry.entity, noticesOf(entry.event)) + 1;
    if (chunk.length === MAX_BATCH_ENTITIES || bytes + size + 12 > MAX_BATCH_BYTES) flush();
    chunk.push(entry);
    bytes += size;
  }
  flush();
  return requests;
}

/**
 * `perform` and `batch` of an action whose events become entities: every Customer.io action
 * batches, up to the `batchSize` setting.
 */
export function entityAction<F extends z.ZodObject, P = z.output<F>>(
  _fields: F,
  toEntities: (payload: P, settings: CustomerioSettings, notices: Notices) => Entity[],
) {
  return {
    perform: (payload: P, settings: CustomerioSettings, notices: Notices) =>
      entityRequests([toEntities(payload, settings, notices)], settings, [notices]),
    batch: {
      maxEvents: MAX_BATCH_ENTITIES,
      size: (settings: CustomerioSettings) => settings.batchSize,
      perform: (payloads: P[], settings: CustomerioSettings, notices: readonly Notices[]) =>
        entityRequests(
          payloads.map((payload, i) => toEntities(payload, settings, notices[i] ?? new Notices())),
          settings,
          notices,
        ),
    },
  };
}

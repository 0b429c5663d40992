import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';

// Amplitude's ingestion APIs (libs/destinations/src/amplitude/README.md#the-api): /2/httpapi and
// /batch (JSON, api_key in the body, whole-request 400s), /identify, /groupidentify and /usermap
// (form-encoded).

export interface AmplitudeEmulatorOptions extends EmulatorOptions {
  apiKey: string;
}

export type AmplitudeEvent = Record<string, unknown>;

const FORBIDDEN_IDS = new Set([
  'anonymous',
  'nil',
  'none',
  'null',
  'n/a',
  'na',
  'undefined',
  'unknown',
  '',
  '00000000-0000-0000-0000-000000000000',
  '{}',
  'lmy47d',
  '0',
  '-1',
]);
const SEVEN_DAYS_MS = 7 * 86_400_000;
const MAX_EVENTS = 2000;
const STRING_FIELDS = [
  'user_id',
  'device_id',
  'event_type',
  'app_version',
  'platform',
  'os_name',
  'os_version',
  'device_brand',
  'device_manufacturer',
  'device_model',
  'carrier',
  'country',
  'region',
  'city',
  'language',
  'ip',
  'insert_id',
  'productId',
  'revenueType',
  'currency',
  'idfa',
  'idfv',
  'adid',
  'android_id',
];

export class AmplitudeEmulator extends Emulator {
  /** Events ingested, without the repeats of an insert_id that Amplitude ignores. */
  readonly events: AmplitudeEvent[] = [];
  /** Events whose insert_id was already seen for the same device/user within 7 days. */
  duplicatesIgnored = 0;
  readonly identifications: Record<string, unknown>[] = [];
  readonly groupIdentifications: Record<string, unknown>[] = [];
  readonly userMappings: Record<string, unknown>[] = [];
  private readonly insertIds = new Map<string, number>();

  constructor(private readonly options: AmplitudeEmulatorOptions) {
    super(options);
  }

  protected clearAccepted(): void {
    this.events.length = 0;
    this.identifications.length = 0;
    this.groupIdentifications.length = 0;
    this.userMappings.length = 0;
    this.insertIds.clear();
    this.duplicatesIgnored = 0;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    if (request.method !== 'POST') return error400('Invalid request path');
    switch (request.path) {
      case '/2/httpapi':
        return this.ingestEvents(request, 1024 * 1024);
      case '/batch':
        return this.ingestEvents(request, 20 * 1024 * 1024);
      case '/identify':
        return this.form(request, 'identification', (item) => this.identifyOne(item), this.identifications);
      case '/groupidentify':
        return this.form(request, 'identification', groupIdentifyProblem, this.groupIdentifications, 1024);
      case '/usermap':
        return this.form(request, 'mapping', userMapProblem, this.userMappings);
      default:
        return error400('Invalid request path');
    }
  }

  private ingestEvents(request: EmulatorRequest, maxBytes: number): EmulatorResponse {
    if (mediaType(request.headers) !== 'application/json') return error400('Invalid JSON request body');
    if (request.bytes >= maxBytes) return { status: 413, body: { code: 413, error: 'Payload too large' } };
    if (request.body.trim() === '') return error400('Missing request body');
    const body = parseJson(request.body);
    if (!isPlainObject(body)) return error400('Invalid JSON request body');
    if (body['api_key'] === undefined) {
      return { status: 400, body: { code: 400, error: 'Request missing required field', missing_field: 'api_key' } };
    }
    if (body['api_key'] !== this.options.apiKey) return error400('Invalid API key');
    const events = body['events'];
    if (!Array.isArray(events)) {
      return { status: 400, body: { code: 400, error: 'Request missing required field', missing_field: 'events' } };
    }
    if (events.length >= MAX_EVENTS) return { status: 413, body: { code: 413, error: 'Payload too large' } };
    const options = isPlainObject(body['options']) ? body['options'] : {};
    const minIdLength = typeof options['min_id_length'] === 'number' ? options['min_id_length'] : 5;

    const missing: Record<string, number[]> = {};
    const invalid: Record<string, number[]> = {};
    const note = (into: Record<string, number[]>, field: string, index: number) => (into[field] ??= []).push(index);
    const accepted: AmplitudeEvent[] = [];
    events.forEach((raw, index) => {
      if (!isPlainObject(raw)) {
        note(invalid, 'event', index);
        return;
      }
      const event = { ...raw };
      if (typeof event['event_type'] !== 'string' || event['event_type'] === '') note(missing, 'event_type', index);
      for (const field of ['user_id', 'device_id']) {
        const id = event[field];
        if (id === undefined || id === null) continue;
        if (typeof id !== 'string' || FORBIDDEN_IDS.has(id.toLowerCase())) note(invalid, field, index);
        // Ids shorter than min_id_length are dropped from the event.
        else if (id.length < minIdLength) delete event[field];
      }
      if (typeof event['user_id'] !== 'string' && typeof event['device_id'] !== 'string') {
        if (!invalid['user_id']?.includes(index) && !invalid['device_id']?.includes(index)) {
          note(missing, 'user_id', index);
        }
      }
      const time = event['time'];
      if (time !== undefined && (typeof time !== 'number' || !Number.isInteger(time) || time < 0)) {
        note(invalid, 'time', index);
      }
      for (const field of STRING_FIELDS) {
        const value = event[field];
        if (value !== undefined && (typeof value !== 'string' || value.length > 1024)) note(invalid, field, index);
      }
      for (const field of ['event_properties', 'user_properties', 'groups', 'group_properties']) {
        if (event[field] !== undefined && !isPlainObject(event[field])) note(invalid, field, index);
      }
      if (isPlainObject(event['event_properties']) && depth(event['event_properties']) > 40) {
        note(invalid, 'event_properties', index);
      }
      for (const field of ['price', 'revenue', 'location_lat', 'location_lng']) {
        if (event[field] !== undefined && typeof event[field] !== 'number') note(invalid, field, index);
      }
      for (const field of ['quantity', 'session_id', 'event_id']) {
        if (event[field] !== undefined && !Number.isInteger(event[field])) note(invalid, field, index);
      }
      accepted.push(event);
    });
    if (Object.keys(missing).length > 0) {
      return {
        status: 400,
        body: {
          code: 400,
          error: 'Request missing required field',
          events_with_missing_fields: missing,
          ...(Object.keys(invalid).length > 0 ? { events_with_invalid_fields: invalid } : {}),
        },
      };
    }
    if (Object.keys(invalid).length > 0) {
      return {
        status: 400,
        body: { code: 400, error: 'Invalid field values on some events', events_with_invalid_fields: invalid },
      };
    }
    const now = this.now();
    for (const event of accepted) {
      const insertId = event['insert_id'];
      if (typeof insertId === 'string') {
        const key = `${String(event['device_id'] ?? '')}|${String(event['user_id'] ?? '')}|${insertId}`;
        const seen = this.insertIds.get(key);
        if (seen !== undefined && now - seen < SEVEN_DAYS_MS) {
          this.duplicatesIgnored++;
          continue;
        }
        this.insertIds.set(key, now);
      }
      this.events.push(event);
    }
    return {
      status: 200,
      body: { code: 200, events_ingested: events.length, payload_size_bytes: request.bytes, server_upload_time: now },
    };
  }

  /** The form endpoints: `api_key` plus one JSON field (object or array); 200 "success". */
  private form(
    request: EmulatorRequest,
    field: string,
    problem: (item: unknown) => string | undefined,
    store: Record<string, unknown>[],
    max = MAX_EVENTS,
  ): EmulatorResponse {
    const type = mediaType(request.headers);
    if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
      return { status: 400, body: 'missing_event' };
    }
    if (request.bytes > 1024 * 1024) return { status: 413, body: 'Payload too large' };
    const form = new URLSearchParams(request.body);
    if (form.get('api_key') !== this.options.apiKey) return { status: 400, body: 'invalid_api_key' };
    const raw = form.get(field);
    const data = raw === null ? undefined : parseJson(raw);
    if (data === undefined || (!isPlainObject(data) && !Array.isArray(data))) {
      return { status: 400, body: field === 'mapping' ? 'missing_mapping' : 'missing_event' };
    }
    const options = form.get('options');
    if (options !== null && !isPlainObject(parseJson(options))) return { status: 400, body: 'invalid_options' };
    const items = Array.isArray(data) ? data : [data];
    if (items.length === 0 || items.length > max) return { status: 400, body: `expected 1 to ${max} items` };
    for (const item of items) {
      const why = problem(item);
      if (why) return { status: 400, body: why };
    }
    store.push(...(items as Record<string, unknown>[]));
    return { status: 200, body: 'success' };
  }

  private identifyOne(item: unknown): string | undefined {
    if (!isPlainObject(item)) return 'invalid_identification';
    const hasId = ['user_id', 'device_id'].some((k) => typeof item[k] === 'string' && item[k] !== '');
    if (!hasId) return 'missing user_id or device_id';
    for (const k of ['user_id', 'device_id']) {
      const id = item[k];
      if (typeof id === 'string' && FORBIDDEN_IDS.has(id.toLowerCase())) return `invalid ${k}`;
    }
    if (item['user_properties'] !== undefined && !isPlainObject(item['user_properties']))
      return 'invalid user_properties';
    if (item['groups'] !== undefined && !isPlainObject(item['groups'])) return 'invalid groups';
    if (item['time'] !== undefined && !Number.isInteger(item['time'])) return 'invalid time';
    return undefined;
  }
}

function groupIdentifyProblem(item: unknown): string | undefined {
  if (!isPlainObject(item)) return 'invalid_identification';
  if (typeof item['group_type'] !== 'string' || item['group_type'] === '') return 'missing group_type';
  const value = item['group_value'];
  if ((typeof value !== 'string' || value === '') && !Array.isArray(value)) return 'missing group_value';
  const props = item['group_properties'];
  if (props !== undefined && (!isPlainObject(props) || Object.keys(props).length > 1024))
    return 'invalid group_properties';
  return undefined;
}

function userMapProblem(item: unknown): string | undefined {
  if (!isPlainObject(item)) return 'invalid_mapping';
  if (typeof item['user_id'] !== 'string' || item['user_id'] === '') return 'missing user_id';
  if (item['unmap'] === true) return undefined;
  if (typeof item['global_user_id'] !== 'string' || item['global_user_id'] === '') return 'missing global_user_id';
  return undefined;
}

function depth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depth));
  if (isPlainObject(value)) return 1 + Math.max(0, ...Object.values(value).map(depth));
  return 0;
}

function error400(error: string): EmulatorResponse {
  return { status: 400, body: { code: 400, error } };
}

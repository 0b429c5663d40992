import { isPlainObject } from '@manifold/json';
import {
  basicCredentials,
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';

// Mixpanel's ingestion API (libs/destinations/src/mixpanel/README.md#the-api): /import (server
// events, strict validation, partial 400), /track (client events, form `data=`), /engage
// (profiles), /groups.

export interface MixpanelEmulatorOptions extends EmulatorOptions {
  projectToken: string;
  /** Project API secret, accepted as Basic username on /import. */
  apiSecret?: string;
  /** Max uncompressed /import body; 10 MB like the real API. */
  maxImportBytes?: number;
}

export interface MixpanelEvent {
  event: string;
  properties: Record<string, unknown>;
}

export interface MixpanelFailedRecord {
  index: number;
  insert_id: string;
  field: string;
  message: string;
}

const MAX_PER_REQUEST = 2000;
const FORBIDDEN_IDS = new Set([
  '00000000-0000-0000-0000-000000000000',
  'anon',
  'anonymous',
  'nil',
  'none',
  'null',
  'n/a',
  'na',
  'undefined',
  'unknown',
  '<nil>',
  '0',
  '-1',
  'true',
  'false',
  '[]',
  '{}',
]);
const PROFILE_OPERATIONS = ['$set', '$set_once', '$add', '$union', '$append', '$remove', '$unset', '$delete'];
const GROUP_OPERATIONS = ['$set', '$set_once', '$unset', '$remove', '$union', '$delete'];
const YEAR_1971_MS = Date.UTC(1971, 0, 1);

export class MixpanelEmulator extends Emulator {
  /** Events ingested by /import and /track, in arrival order (duplicates included, as Mixpanel stores them). */
  readonly events: MixpanelEvent[] = [];
  readonly profileUpdates: Record<string, unknown>[] = [];
  readonly groupUpdates: Record<string, unknown>[] = [];

  constructor(private readonly options: MixpanelEmulatorOptions) {
    super(options);
  }

  /** Events as Mixpanel shows them: duplicates on (event, time, distinct_id, $insert_id) collapsed, latest wins. */
  uniqueEvents(): MixpanelEvent[] {
    const byKey = new Map<string, MixpanelEvent>();
    for (const e of this.events) {
      const p = e.properties;
      byKey.set(JSON.stringify([e.event, p['time'], p['distinct_id'], p['$insert_id']]), e);
    }
    return [...byKey.values()];
  }

  protected clearAccepted(): void {
    this.events.length = 0;
    this.profileUpdates.length = 0;
    this.groupUpdates.length = 0;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    if (request.method !== 'POST') return { status: 405, body: { error: 'use POST', status: 'error' } };
    switch (request.path) {
      case '/import':
        return this.import(request);
      case '/track':
        return this.formEndpoint(request, (item) => this.trackOne(item));
      case '/engage':
        return this.formEndpoint(request, (item) => this.profileOne(item));
      case '/groups':
        return this.formEndpoint(request, (item) => this.groupOne(item));
      default:
        return { status: 404, body: { error: 'not found', status: 'error' } };
    }
  }

  private import(request: EmulatorRequest): EmulatorResponse {
    const credentials = basicCredentials(request.headers);
    const valid =
      credentials !== undefined &&
      credentials.password === '' &&
      ((this.options.apiSecret !== undefined && credentials.username === this.options.apiSecret) ||
        (credentials.username === this.options.projectToken && !request.query.has('project_id')));
    if (!valid) return { status: 401, body: { code: 401, error: 'Invalid credentials', status: 'Unauthorized' } };
    const limit = this.options.maxImportBytes ?? 10 * 1024 * 1024;
    if (request.bytes > limit) {
      return {
        status: 413,
        body: { code: 413, error: `request exceeds max limit of ${limit} bytes`, status: 'Request Entity Too Large' },
      };
    }
    let items: unknown;
    const type = mediaType(request.headers);
    if (type === 'application/x-ndjson') {
      items = request.body
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map(parseJson);
    } else if (type === 'application/json') {
      const parsed = parseJson(request.body);
      items = isPlainObject(parsed) ? [parsed] : parsed;
    } else {
      return badRequest('Content-Type must be application/json or application/x-ndjson');
    }
    if (!Array.isArray(items)) return badRequest('body must be a JSON array of events');
    if (items.length === 0) return badRequest('no events in request');
    if (items.length > MAX_PER_REQUEST) return badRequest(`too many events: max ${MAX_PER_REQUEST} per request`);

    const strict = request.query.get('strict') === '1';
    const failed: MixpanelFailedRecord[] = [];
    let imported = 0;
    items.forEach((item, index) => {
      const problem = strict
        ? this.validateImportEvent(item)
        : isPlainObject(item)
          ? undefined
          : ['', 'must be an object'];
      if (problem) {
        const insertId =
          isPlainObject(item) && isPlainObject(item['properties']) ? item['properties']['$insert_id'] : undefined;
        failed.push({
          index,
          insert_id: typeof insertId === 'string' ? insertId : '',
          field: problem[0] as string,
          message: problem[1] as string,
        });
        return;
      }
      this.events.push(item as unknown as MixpanelEvent);
      imported++;
    });
    if (failed.length > 0) {
      return {
        status: 400,
        body: {
          code: 400,
          error: 'some data points in the request failed validation',
          status: 'Bad Request',
          num_records_imported: imported,
          failed_records: failed,
        },
      };
    }
    return { status: 200, body: { code: 200, num_records_imported: imported, status: 'OK' } };
  }

  /** [field, message] of the first problem of one /import event under strict mode. */
  private validateImportEvent(item: unknown): [string, string] | undefined {
    if (!isPlainObject(item)) return ['', 'event must be an object'];
    if (typeof item['event'] !== 'string' || item['event'] === '')
      return ['event', "'event' must be a non-empty string"];
    const p = item['properties'];
    if (!isPlainObject(p)) return ['properties', "'properties' must be an object"];
    const time = p['time'];
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      return ['properties.time', "'properties.time' is invalid: must be specified as seconds since epoch"];
    }
    const ms = time > 1e11 ? time : time * 1000;
    if (ms < YEAR_1971_MS) return ['properties.time', "'properties.time' is invalid: must be after 1971-01-01"];
    if (ms > this.now() + 3_600_000) {
      return ['properties.time', "'properties.time' is invalid: must not be more than 1 hour in the future"];
    }
    const distinctId = p['distinct_id'];
    if (typeof distinctId !== 'string') return ['properties.distinct_id', "'properties.distinct_id' must be a string"];
    if (FORBIDDEN_IDS.has(distinctId.toLowerCase())) {
      return [
        'properties.distinct_id',
        `'properties.distinct_id' is invalid: ${JSON.stringify(distinctId)} is not allowed`,
      ];
    }
    const insertId = p['$insert_id'];
    if (typeof insertId !== 'string' || insertId === '') {
      return ['properties.$insert_id', "'properties.$insert_id' is required in strict mode"];
    }
    if (Buffer.byteLength(insertId) > 36 || !/^[A-Za-z0-9-]+$/.test(insertId) || FORBIDDEN_IDS.has(insertId)) {
      return ['properties.$insert_id', "'properties.$insert_id' must be at most 36 bytes of [A-Za-z0-9-]"];
    }
    if (Object.keys(p).length >= 255) return ['properties', 'too many properties: at most 255'];
    const nested = nestingProblem(p, 1);
    if (nested) return [`properties.${nested[0]}`, nested[1]];
    if (Buffer.byteLength(JSON.stringify(item)) >= 1024 * 1024) return ['', 'event exceeds 1 MB'];
    return undefined;
  }

  /** /track, /engage and /groups: form `data=` (JSON or base64 JSON), or a JSON body; 1/0 or verbose JSON. */
  private formEndpoint(request: EmulatorRequest, one: (item: unknown) => string | undefined): EmulatorResponse {
    const verbose = request.query.get('verbose') === '1';
    const answer = (error: string | undefined): EmulatorResponse =>
      verbose
        ? { status: 200, body: { status: error ? 0 : 1, error: error ?? null } }
        : { status: 200, body: error ? '0' : '1' };
    let data: unknown;
    const type = mediaType(request.headers);
    if (type === 'application/x-www-form-urlencoded') {
      const raw = new URLSearchParams(request.body).get('data');
      if (raw === null) return answer('data, missing or empty');
      data = parseJson(raw) ?? parseJson(Buffer.from(raw, 'base64').toString('utf8'));
    } else if (type === 'application/json') {
      data = parseJson(request.body);
    } else {
      return answer('unsupported Content-Type');
    }
    if (data === undefined) return answer('data, could not be parsed as JSON');
    const items = Array.isArray(data) ? data : [data];
    if (items.length === 0) return answer('data, empty list');
    if (items.length > MAX_PER_REQUEST) return answer(`too many items: max ${MAX_PER_REQUEST}`);
    // Mixpanel answers 1 when at least one item was valid; verbose reports the first error.
    const errors = items.map(one);
    const firstError = errors.find((e) => e !== undefined);
    return answer(errors.every((e) => e !== undefined) ? firstError : undefined);
  }

  private trackOne(item: unknown): string | undefined {
    if (!isPlainObject(item) || typeof item['event'] !== 'string' || item['event'] === '')
      return "'event' must be a non-empty string";
    const p = item['properties'];
    if (!isPlainObject(p)) return "'properties' must be an object";
    if (p['token'] !== this.options.projectToken) return 'token, missing or invalid';
    const time = p['time'];
    if (time !== undefined) {
      if (typeof time !== 'number') return "'properties.time' must be a number";
      const ms = time > 1e11 ? time : time * 1000;
      if (ms < this.now() - 5 * 86_400_000) return "'properties.time' is older than 5 days: use /import";
    }
    if (
      item['event'] === '$identify' &&
      (typeof p['$identified_id'] !== 'string' || typeof p['$anon_id'] !== 'string')
    ) {
      return '$identify needs $identified_id and $anon_id';
    }
    if (item['event'] === '$create_alias' && (typeof p['distinct_id'] !== 'string' || typeof p['alias'] !== 'string')) {
      return '$create_alias needs distinct_id and alias';
    }
    this.events.push(item as unknown as MixpanelEvent);
    return undefined;
  }

  private profileOne(item: unknown): string | undefined {
    if (!isPlainObject(item)) return 'profile update must be an object';
    if (item['$token'] !== this.options.projectToken) return '$token, missing or invalid';
    const id = item['$distinct_id'];
    if (typeof id !== 'string' || id === '') return '$distinct_id, missing or empty';
    const problem = operationProblem(item, PROFILE_OPERATIONS);
    if (problem) return problem;
    if (Buffer.byteLength(JSON.stringify(item)) > 1024 * 1024) return 'profile update exceeds 1 MB';
    this.profileUpdates.push(item);
    return undefined;
  }

  private groupOne(item: unknown): string | undefined {
    if (!isPlainObject(item)) return 'group update must be an object';
    if (item['$token'] !== this.options.projectToken) return '$token, missing or invalid';
    if (typeof item['$group_key'] !== 'string' || item['$group_key'] === '') return '$group_key, missing or empty';
    const id = item['$group_id'];
    if ((typeof id !== 'string' || id === '') && typeof id !== 'number') return '$group_id, missing or empty';
    const problem = operationProblem(item, GROUP_OPERATIONS);
    if (problem) return problem;
    this.groupUpdates.push(item);
    return undefined;
  }
}

function operationProblem(item: Record<string, unknown>, allowed: string[]): string | undefined {
  const operations = Object.keys(item).filter((key) => allowed.includes(key));
  const unknown = Object.keys(item).filter(
    (key) => key.startsWith('$') && !key.startsWith('$token') && !allowed.includes(key),
  );
  const known = ['$distinct_id', '$group_key', '$group_id', '$ip', '$ignore_time', '$ignore_alias', '$time'];
  const stray = unknown.filter((key) => !known.includes(key));
  if (stray.length > 0) return `unknown operation ${stray[0]}`;
  if (operations.length !== 1) return `exactly one operation per update, found ${operations.length}`;
  const op = operations[0] as string;
  const value = item[op];
  if (op === '$unset') return Array.isArray(value) ? undefined : '$unset takes a list of property names';
  if (op === '$delete') return value === '' ? undefined : '$delete takes ""';
  if (!isPlainObject(value) || Object.keys(value).length === 0) return `${op} takes a non-empty object`;
  if (op === '$add' && Object.values(value).some((v) => typeof v !== 'number')) return '$add takes numbers';
  if (op === '$union' && Object.values(value).some((v) => !Array.isArray(v) || v.length === 0)) {
    return '$union takes non-empty lists';
  }
  return undefined;
}

/** Nested objects < 255 keys and depth ≤ 3, arrays < 255 elements: [path, message] of the first breach. */
function nestingProblem(value: unknown, depth: number, path = ''): [string, string] | undefined {
  if (Array.isArray(value)) {
    if (value.length >= 255) return [path, 'lists must have fewer than 255 elements'];
    for (const [i, item] of value.entries()) {
      const problem = nestingProblem(item, depth + 1, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  if (depth > 3) return [path, 'objects may be nested at most 3 levels deep'];
  if (depth > 1 && Object.keys(value).length >= 255) return [path, 'nested objects must have fewer than 255 keys'];
  for (const [key, item] of Object.entries(value)) {
    const problem = nestingProblem(item, depth + 1, path ? `${path}.${key}` : key);
    if (problem) return problem;
  }
  return undefined;
}

function badRequest(error: string): EmulatorResponse {
  return { status: 400, body: { code: 400, error, status: 'Bad Request' } };
}

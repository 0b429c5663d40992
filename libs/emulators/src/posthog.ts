import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { distinctIdOf, eventProblems, invalidUuid, silentDropReason } from './posthog-validation';

// PostHog's capture API (libs/destinations/src/posthog/README.md#the-api): /i/v0/e/ (and the legacy
// /capture/, /e/) for one event, /batch/ for many, the project API key inside the JSON body.
// Answers 200 {"status":1} once the key is valid, even for events it then drops.

export interface PosthogEmulatorOptions extends EmulatorOptions {
  /** Project API key (phc_…). */
  apiKey: string;
  /** Bodies of this size or more get 413; 20 MB like the real API. */
  maxBodyBytes?: number;
}

export interface PosthogEvent {
  event: string;
  distinctId: string;
  properties: Record<string, unknown>;
  timestamp?: string;
  uuid?: string;
  historicalMigration: boolean;
  /** Shape problems (a $pageview without $current_url, …): PostHog ingests these anyway. */
  problems: string[];
}

const CAPTURE_PATHS = ['/i/v0/e', '/capture', '/e', '/track'];
const BATCH_PATHS = ['/batch'];

const INVALID_KEY = {
  type: 'authentication_error',
  code: 'invalid_api_key',
  detail: 'Project API key invalid. You can find your project API key in PostHog project settings.',
};

export class PosthogEmulator extends Emulator {
  /** Every event ingested, in arrival order, duplicates included. */
  readonly events: PosthogEvent[] = [];
  /** Events PostHog dropped silently (no name, no distinct_id), with the reason. */
  readonly dropped: { event: unknown; reason: string }[] = [];
  /** Person properties by distinct_id, from $set / $set_once; aliases merged. */
  readonly persons = new Map<string, Record<string, unknown>>();
  /** Group properties by "<type>:<key>". */
  readonly groups = new Map<string, Record<string, unknown>>();
  /** distinct_id pairs merged by $identify ($anon_distinct_id) or $create_alias. */
  readonly merges: [string, string][] = [];

  constructor(private readonly options: PosthogEmulatorOptions) {
    super(options);
  }

  /** Events as PostHog shows them: one per (uuid, event, distinct_id, day) when a uuid was sent. */
  uniqueEvents(): PosthogEvent[] {
    const byKey = new Map<string, PosthogEvent>();
    this.events.forEach((e, i) => {
      const key = e.uuid ? JSON.stringify([e.uuid, e.event, e.distinctId, (e.timestamp ?? '').slice(0, 10)]) : `#${i}`;
      byKey.set(key, e);
    });
    return [...byKey.values()];
  }

  /** Ingested events without shape problems. */
  acceptedEvents(): PosthogEvent[] {
    return this.events.filter((e) => e.problems.length === 0);
  }

  protected clearAccepted(): void {
    this.events.length = 0;
    this.dropped.length = 0;
    this.persons.clear();
    this.groups.clear();
    this.merges.length = 0;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const path = request.path.replace(/\/+$/, '');
    const batchPath = BATCH_PATHS.includes(path);
    if (!batchPath && !CAPTURE_PATHS.includes(path)) return { status: 404, body: 'Not Found' };
    if (request.method !== 'POST')
      return { status: 405, body: { type: 'invalid_request', code: 'method_not_allowed' } };
    if (request.bytes >= (this.options.maxBodyBytes ?? 20 * 1024 * 1024)) {
      return { status: 413, body: { type: 'invalid_request', code: 'payload_too_large', detail: 'Payload too large' } };
    }
    if (mediaType(request.headers) !== 'application/json') {
      return invalid('Content-Type must be application/json');
    }
    const body = parseJson(request.body);
    if (body === undefined) return invalid('Malformed request data: body is not valid JSON');
    const { key, events, historical } = unpack(body, batchPath);
    if (events === undefined) return invalid(batchPath ? 'batch must be a list of events' : 'event must be an object');
    if (key === undefined) {
      return {
        status: 401,
        body: {
          ...INVALID_KEY,
          detail: 'API key not provided. You can find your project API key in PostHog project settings.',
        },
      };
    }
    if (key !== this.options.apiKey) return { status: 401, body: INVALID_KEY };
    if (events.some(invalidUuid)) return invalid('Invalid uuid: must be a UUID');
    for (const event of events) this.ingest(event, historical);
    return { status: 200, body: { status: 1 } };
  }

  private ingest(event: unknown, historicalMigration: boolean): void {
    const reason = silentDropReason(event);
    if (reason) {
      this.dropped.push({ event, reason });
      return;
    }
    const e = event as Record<string, unknown>;
    const properties = isPlainObject(e['properties']) ? e['properties'] : {};
    const distinctId = distinctIdOf(e) as string;
    const ingested: PosthogEvent = {
      event: e['event'] as string,
      distinctId,
      properties,
      historicalMigration,
      problems: eventProblems(e),
      ...(typeof e['timestamp'] === 'string' ? { timestamp: e['timestamp'] } : {}),
      ...(typeof e['uuid'] === 'string' ? { uuid: e['uuid'] } : {}),
    };
    this.events.push(ingested);
    if (ingested.problems.length > 0) return;
    const person = this.persons.get(distinctId) ?? {};
    if (isPlainObject(properties['$set_once'])) {
      for (const [k, v] of Object.entries(properties['$set_once'])) if (!(k in person)) person[k] = v;
    }
    if (isPlainObject(properties['$set'])) Object.assign(person, properties['$set']);
    if (isPlainObject(properties['$set']) || isPlainObject(properties['$set_once']))
      this.persons.set(distinctId, person);
    const other =
      ingested.event === '$create_alias'
        ? properties['alias']
        : ingested.event === '$identify'
          ? properties['$anon_distinct_id']
          : undefined;
    if (typeof other === 'string' && other !== '') this.merges.push([distinctId, other]);
    if (ingested.event === '$groupidentify') {
      const key = `${String(properties['$group_type'])}:${String(properties['$group_key'])}`;
      const group = this.groups.get(key) ?? {};
      if (isPlainObject(properties['$group_set'])) Object.assign(group, properties['$group_set']);
      this.groups.set(key, group);
    }
  }
}

/** The project key and the events of a capture or batch body. */
function unpack(
  body: unknown,
  batchPath: boolean,
): { key: string | undefined; events: unknown[] | undefined; historical: boolean } {
  const keyOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  if (Array.isArray(body)) {
    const first = body.find(isPlainObject);
    const props = first && isPlainObject(first['properties']) ? first['properties'] : {};
    return { key: keyOf(first?.['api_key'] ?? first?.['token'] ?? props['token']), events: body, historical: false };
  }
  if (!isPlainObject(body)) return { key: undefined, events: undefined, historical: false };
  const historical = body['historical_migration'] === true;
  if (batchPath || 'batch' in body) {
    const batch = body['batch'];
    return {
      key: keyOf(body['api_key'] ?? body['token']),
      events: Array.isArray(batch) ? batch : undefined,
      historical,
    };
  }
  const props = isPlainObject(body['properties']) ? body['properties'] : {};
  return { key: keyOf(body['api_key'] ?? body['token'] ?? props['token']), events: [body], historical };
}

function invalid(detail: string): EmulatorResponse {
  return { status: 400, body: { type: 'validation_error', code: 'invalid_payload', detail, attr: null } };
}

import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { ADDON_INPUTS, collectionProblem, eventProblem, hasListOfObjects, type KeenError } from './keen-validation';

// Keen's Events API (libs/destinations/src/keen/README.md#the-api): `/3.0/projects/{id}/events/
// {collection}` records one event (201 {"created":true}), `/3.0/projects/{id}/events` many
// (200, a result per collection and position). The key is the raw Authorization header or the
// `api_key` query parameter. On receipt Keen fills keen.created_at, keen.id and a missing
// keen.timestamp, runs add-ons into their output property, and keeps only the first event with a
// uniqueness token per collection for 31 days.

export interface KeenEmulatorOptions extends EmulatorOptions {
  projectId: string;
  writeKey: string;
  readKey?: string;
  masterKey?: string;
  /** Refuse lists holding objects (ListsOfNonPrimitivesNotAllowedError) instead of storing them flagged. */
  rejectListsOfObjects?: boolean;
}

export interface KeenStoredEvent {
  collection: string;
  event: Record<string, unknown>;
  /** Holds a list of objects, which Keen stores but cannot analyse. */
  flagged: boolean;
}

const MAX_EVENT_BYTES = 900_000;
const MAX_BATCH_BYTES = 10 * 1024 * 1024;
const TOKEN_DAYS_MS = 31 * 24 * 3600 * 1000;
const PATH = /^\/3\.0\/projects\/([^/]+)\/events(?:\/([^/]+))?\/?$/;

export class KeenEmulator extends Emulator {
  /** Every event recorded, in order. */
  readonly events: KeenStoredEvent[] = [];
  /** Events not recorded because their uniqueness token was seen in the collection within 31 days. */
  duplicatesIgnored = 0;
  private readonly tokens = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly options: KeenEmulatorOptions) {
    super(options);
  }

  /** The recorded events of one collection. */
  collection(name: string): Record<string, unknown>[] {
    return this.events.filter((e) => e.collection === name).map((e) => e.event);
  }

  protected clearAccepted(): void {
    this.events.length = 0;
    this.duplicatesIgnored = 0;
    this.tokens.clear();
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const match = PATH.exec(request.path);
    if (!match) return error(404, 'ResourceNotFoundError', 'Resource not found');
    const [, projectId, rawCollection] = match;
    if (projectId !== this.options.projectId)
      return error(404, 'ResourceNotFoundError', `Project not found: ${projectId}`);
    const key = request.headers.authorization ?? request.query.get('api_key') ?? '';
    const { writeKey, readKey, masterKey } = this.options;
    if (request.method === 'GET') {
      if (key === '' || ![readKey, masterKey].includes(key)) return error(401, 'InvalidApiKeyError', 'Invalid api key');
      return { status: 200, body: this.inspect() };
    }
    if (request.method !== 'POST') return error(405, 'MethodNotAllowedError', 'Method not allowed');
    if (key === '' || ![writeKey, masterKey].includes(key)) {
      return error(401, 'InvalidApiKeyError', 'The API key is not valid for writing to this project');
    }
    if (mediaType(request.headers) !== 'application/json')
      return error(400, 'InvalidEventError', 'Content-Type must be application/json');
    const body = parseJson(request.body);
    if (rawCollection !== undefined) return this.single(decodeURIComponent(rawCollection), body, request);
    if (request.bytes > MAX_BATCH_BYTES) return error(413, 'RequestEntityTooLargeError', 'Batch larger than 10 MB');
    if (!isPlainObject(body) || !Object.values(body).every(Array.isArray)) {
      return error(400, 'InvalidBatchError', 'A batch is an object of collection names to lists of events');
    }
    const answer: Record<string, unknown[]> = {};
    for (const [collection, events] of Object.entries(body) as [string, unknown[]][]) {
      answer[collection] = events.map((event) => {
        const problem = this.problem(collection, event);
        if (problem) return { success: false, error: problem };
        this.record(collection, event as Record<string, unknown>, request);
        return { success: true };
      });
    }
    return { status: 200, body: answer };
  }

  private single(collection: string, body: unknown, request: EmulatorRequest): EmulatorResponse {
    if (request.bytes > MAX_EVENT_BYTES)
      return error(413, 'RequestEntityTooLargeError', 'Event larger than 900,000 bytes');
    const problem = this.problem(collection, body);
    if (problem) return error(400, problem.name, problem.description);
    this.record(collection, body as Record<string, unknown>, request);
    return { status: 201, body: { created: true } };
  }

  private problem(collection: string, event: unknown): KeenError | undefined {
    const problem = collectionProblem(collection) ?? eventProblem(event);
    if (problem) return problem;
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) {
      return { name: 'EventTooLargeError', description: 'Event larger than 900,000 bytes' };
    }
    if (this.options.rejectListsOfObjects && hasListOfObjects(event)) {
      return { name: 'ListsOfNonPrimitivesNotAllowedError', description: 'Lists may hold only primitive values' };
    }
    return undefined;
  }

  private record(collection: string, received: Record<string, unknown>, request: EmulatorRequest): void {
    const now = this.now();
    const { keen: rawKeen, ...rest } = received;
    const keen = isPlainObject(rawKeen) ? { ...rawKeen } : {};
    const token = keen['uniqueness_token'];
    if (typeof token === 'string') {
      const seen = this.tokens.get(`${collection}\u0000${token}`);
      if (seen !== undefined && now - seen < TOKEN_DAYS_MS) {
        this.duplicatesIgnored++;
        return;
      }
      this.tokens.set(`${collection}\u0000${token}`, now);
    }
    const event: Record<string, unknown> = {};
    const agent = String(request.headers['user-agent'] ?? '');
    for (const [key, value] of Object.entries(rest)) {
      event[key] = value === '${keen.ip}' ? '127.0.0.1' : value === '${keen.user_agent}' ? agent : value;
    }
    for (const addon of (keen['addons'] as Record<string, unknown>[] | undefined) ?? []) {
      const input = addon['input'] as Record<string, string>;
      const params = ADDON_INPUTS[addon['name'] as string] ?? [];
      event[addon['output'] as string] = {
        addon: addon['name'],
        ...Object.fromEntries(params.map((p) => [p, lookup(event, input[p] ?? '')])),
      };
    }
    delete keen['addons'];
    const createdAt = new Date(now).toISOString();
    event['keen'] = {
      ...keen,
      timestamp: keen['timestamp'] ?? createdAt,
      created_at: createdAt,
      id: (this.nextId++).toString(16).padStart(24, '0'),
    };
    this.events.push({ collection, event, flagged: hasListOfObjects(rest) });
  }

  /** The collections and their event counts, as the inspection endpoint lists them. */
  private inspect(): { name: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const e of this.events) counts.set(e.collection, (counts.get(e.collection) ?? 0) + 1);
    return [...counts].map(([name, count]) => ({ name, count }));
  }
}

function lookup(event: Record<string, unknown>, path: string): unknown {
  let node: unknown = event;
  for (const part of path.split('.')) node = isPlainObject(node) ? node[part] : undefined;
  return node;
}

function error(status: number, name: string, message: string): EmulatorResponse {
  return { status, body: { message, error_code: name } };
}

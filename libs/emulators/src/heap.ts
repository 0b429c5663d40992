import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { accountProblem, eventProblem, userProblem } from './heap-validation';

// Heap's server-side API (libs/destinations/src/heap/README.md#the-api): /api/track,
// /api/add_user_properties and /api/add_account_properties, each one item or a bulk list of up to
// 1000, the environment id (`app_id`) in the JSON body and no auth header. 200 on success, 400 with
// the reason for anything invalid (the whole request), 429 beyond the rate limits.

export interface HeapEmulatorOptions extends EmulatorOptions {
  /** The environment id the requests must carry. */
  appId: string;
  /** Whether the project has its Account ID setting (needed for account properties). */
  accountsEnabled?: boolean;
  /** Events per minute per identity (bulk: 1000) and per app_id (15,000). */
  limits?: { perIdentityPerMinute: number; perAppPerMinute: number };
}

export interface HeapEvent {
  event: string;
  identity?: string;
  userId?: string;
  timestamp?: string;
  properties: Record<string, unknown>;
  idempotencyKey?: string;
}

type Kind = 'events' | 'users' | 'accounts';

const ENDPOINTS: Record<string, { kind: Kind; single: (body: Record<string, unknown>) => boolean }> = {
  '/api/track': { kind: 'events', single: (b) => 'event' in b },
  '/api/add_user_properties': { kind: 'users', single: (b) => 'identity' in b },
  '/api/add_account_properties': { kind: 'accounts', single: (b) => 'account_id' in b },
};
const MAX_BULK = 1000;
const MINUTE = 60_000;

export class HeapEmulator extends Emulator {
  /** Every event stored (a repeated idempotency key is not stored again). */
  readonly events: HeapEvent[] = [];
  /** Events whose idempotency key had been seen: answered 200, stored nothing. */
  duplicatesIgnored = 0;
  /** User properties by identity (later sets overwrite). */
  readonly users = new Map<string, Record<string, unknown>>();
  /** Account properties by account id. */
  readonly accounts = new Map<string, Record<string, unknown>>();
  private readonly keys = new Set<string>();
  private readonly recent: { at: number; identity: string }[] = [];

  constructor(private readonly options: HeapEmulatorOptions) {
    super(options);
  }

  protected clearAccepted(): void {
    this.events.length = 0;
    this.duplicatesIgnored = 0;
    this.users.clear();
    this.accounts.clear();
    this.keys.clear();
    this.recent.length = 0;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const endpoint = ENDPOINTS[request.path.replace(/\/+$/, '')];
    if (!endpoint) return { status: 404, body: { error: 'Not found' } };
    if (request.method !== 'POST') return { status: 405, body: { error: 'Method not allowed' } };
    if (mediaType(request.headers) !== 'application/json') return invalid('Content-Type must be application/json');
    const body = parseJson(request.body);
    if (!isPlainObject(body)) return invalid('Body must be a JSON object');
    if (body['app_id'] !== this.options.appId) return invalid('Invalid app_id');
    const { kind } = endpoint;
    if (kind === 'accounts' && this.options.accountsEnabled === false) {
      return invalid('Account properties need the Account ID setting of the project');
    }
    let items: unknown[];
    if (endpoint.single(body)) items = [body];
    else if (Array.isArray(body[kind])) items = body[kind] as unknown[];
    else return invalid(`Expected a single item or ${kind}: [...]`);
    if (items.length === 0 || items.length > MAX_BULK) return invalid(`${kind} must hold 1 to ${MAX_BULK} items`);
    const check = kind === 'events' ? eventProblem : kind === 'users' ? userProblem : accountProblem;
    for (const [i, item] of items.entries()) {
      const problem = check(item, `${kind}[${i}]`);
      if (problem) return invalid(problem);
    }
    if (kind === 'events' && this.overLimit(items as Record<string, unknown>[])) {
      return { status: 429, headers: { 'retry-after': '60' }, body: { error: 'Too many requests' } };
    }
    for (const item of items as Record<string, unknown>[]) this.store(kind, item);
    return { status: 200, body: {} };
  }

  /** Whether these events would pass Heap's per-identity or per-app limit over the last minute. */
  private overLimit(events: Record<string, unknown>[]): boolean {
    const { perIdentityPerMinute, perAppPerMinute } = this.options.limits ?? {
      perIdentityPerMinute: 1000,
      perAppPerMinute: 15_000,
    };
    const now = Date.now();
    while (this.recent.length > 0 && (this.recent[0]?.at ?? now) <= now - MINUTE) this.recent.shift();
    const identities = events.map((e) => String(e['identity'] ?? e['user_id']));
    if (this.recent.length + events.length > perAppPerMinute) return true;
    const counts = new Map<string, number>();
    for (const r of this.recent) counts.set(r.identity, (counts.get(r.identity) ?? 0) + 1);
    for (const identity of identities) counts.set(identity, (counts.get(identity) ?? 0) + 1);
    if ([...counts.values()].some((n) => n > perIdentityPerMinute)) return true;
    for (const identity of identities) this.recent.push({ at: now, identity });
    return false;
  }

  private store(kind: Kind, item: Record<string, unknown>): void {
    const properties = isPlainObject(item['properties']) ? item['properties'] : {};
    if (kind === 'users') {
      const identity = item['identity'] as string;
      this.users.set(identity, { ...this.users.get(identity), ...properties });
      return;
    }
    if (kind === 'accounts') {
      const id = String(item['account_id']);
      this.accounts.set(id, { ...this.accounts.get(id), ...properties });
      return;
    }
    const key = item['idempotency_key'];
    if (typeof key === 'string') {
      if (this.keys.has(key)) {
        this.duplicatesIgnored++;
        return;
      }
      this.keys.add(key);
    }
    this.events.push({
      event: item['event'] as string,
      properties,
      ...(typeof item['identity'] === 'string' ? { identity: item['identity'] } : {}),
      ...(typeof item['user_id'] === 'string' ? { userId: item['user_id'] } : {}),
      ...(typeof item['timestamp'] === 'string' ? { timestamp: item['timestamp'] } : {}),
      ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
    });
  }
}

function invalid(message: string): EmulatorResponse {
  return { status: 400, body: { error: message } };
}

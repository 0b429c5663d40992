import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { CustomerMatcher, type Customer, type MatchResult } from './meta-matching';
import { eventTimeSeconds, HASHED_KEYS, serverEventProblem } from './meta-validation';

// Meta Conversions API: POST /v{N}.0/{pixel}/events with the access token as a query parameter,
// a form field or a Bearer header; `data` a JSON array of 1 to 1000 server events (JSON body, or
// form-encoded with `data` as JSON text). One invalid event fails the whole request with a Graph
// error body. Events with the same (event_id, event_name) within 48 hours are deduplicated.

export interface MetaEmulatorOptions extends EmulatorOptions {
  accessToken: string;
  pixelId: string;
  /** People the test knows in clear (Meta's users): hashed keys are matched against them. */
  customers?: Customer[];
}

/** How one hashed customer information value of an accepted event matched. */
export interface MetaMatch {
  eventId: unknown;
  key: string;
  result: MatchResult;
}

export interface MetaServerEvent {
  pixelId: string;
  event: Record<string, unknown>;
  /** The request's test_event_code: the event shows under Test events (and is still used). */
  testEventCode?: string;
  receivedAt: number;
}

const MAX_EVENTS = 1000;
const DEDUP_WINDOW_MS = 48 * 3600 * 1000;

const traceId = () => `A${Math.random().toString(36).slice(2, 12)}`;

function graphError(
  status: number,
  error: { message: string; type: string; code: number; subcode?: number; title?: string; userMessage?: string },
): EmulatorResponse {
  return {
    status,
    body: {
      error: {
        message: error.message,
        type: error.type,
        code: error.code,
        ...(error.subcode !== undefined ? { error_subcode: error.subcode } : {}),
        is_transient: false,
        ...(error.title ? { error_user_title: error.title, error_user_msg: error.userMessage } : {}),
        fbtrace_id: traceId(),
      },
    },
  };
}

export class MetaEmulator extends Emulator {
  /** Every accepted server event, duplicates included. */
  readonly events: MetaServerEvent[] = [];
  /** Each hashed value received (and the external ids) as matched against `customers`. */
  readonly matches: MetaMatch[] = [];
  private readonly matcher: CustomerMatcher;

  constructor(private readonly options: MetaEmulatorOptions) {
    super(options);
    this.matcher = new CustomerMatcher(options.customers ?? []);
  }

  /** What Events Manager counts: the first of each (event_id, event_name) within 48 hours. */
  uniqueEvents(): MetaServerEvent[] {
    const firstSeen = new Map<string, number>();
    return this.events.filter((e) => {
      const id = e.event['event_id'];
      if (typeof id !== 'string') return true;
      const key = `${e.pixelId}|${id}|${String(e.event['event_name'])}`;
      const time = (eventTimeSeconds(e.event['event_time']) ?? 0) * 1000;
      const first = firstSeen.get(key);
      if (first !== undefined && Math.abs(time - first) <= DEDUP_WINDOW_MS) return false;
      firstSeen.set(key, time);
      return true;
    });
  }

  protected clearAccepted(): void {
    this.events.length = 0;
    this.matches.length = 0;
  }

  private fields(request: EmulatorRequest): Record<string, unknown> | undefined {
    const type = mediaType(request.headers);
    if (type === 'application/json') {
      const body = parseJson(request.body);
      return isPlainObject(body) ? body : undefined;
    }
    if (type === 'application/x-www-form-urlencoded') {
      const form = Object.fromEntries(new URLSearchParams(request.body));
      return { ...form, ...(form['data'] !== undefined ? { data: parseJson(form['data']) } : {}) };
    }
    return undefined;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const match = /^\/v(\d+)\.0\/([^/]+)\/events\/?$/.exec(request.path);
    if (!match) {
      return graphError(400, { message: 'Unknown path components', type: 'OAuthException', code: 2500 });
    }
    if (request.method !== 'POST') {
      return graphError(400, { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100 });
    }
    const body = this.fields(request);
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const token = request.query.get('access_token') ?? (body?.['access_token'] as string | undefined) ?? bearer;
    if (!token) {
      return graphError(400, {
        message: 'An active access token must be used to query information about the current user.',
        type: 'OAuthException',
        code: 2500,
      });
    }
    if (token !== this.options.accessToken) {
      return graphError(400, {
        message: 'Invalid OAuth access token - Cannot parse access token',
        type: 'OAuthException',
        code: 190,
      });
    }
    const pixelId = match[2] as string;
    if (pixelId !== this.options.pixelId) {
      return graphError(400, {
        message: `Unsupported post request. Object with ID '${pixelId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        type: 'GraphMethodException',
        code: 100,
        subcode: 33,
      });
    }
    if (!body) return graphError(400, { message: 'Invalid parameter', type: 'OAuthException', code: 100 });
    const data = body['data'];
    if (!Array.isArray(data) || data.length === 0 || data.length > MAX_EVENTS) {
      return graphError(400, {
        message: 'Invalid parameter',
        type: 'OAuthException',
        code: 100,
        title: 'Invalid data',
        userMessage: `data must be a list of 1 to ${MAX_EVENTS} events`,
      });
    }
    const testEventCode = body['test_event_code'];
    if (testEventCode !== undefined && (typeof testEventCode !== 'string' || testEventCode === '')) {
      return graphError(400, { message: 'Invalid parameter', type: 'OAuthException', code: 100 });
    }
    for (const [index, event] of data.entries()) {
      const found = serverEventProblem(event, this.now());
      if (found) {
        return graphError(400, {
          message: 'Invalid parameter',
          type: 'OAuthException',
          code: 100,
          ...(found.subcode !== undefined ? { subcode: found.subcode } : {}),
          title: found.title,
          userMessage: `data[${index}]: ${found.message}`,
        });
      }
    }
    const receivedAt = this.now();
    for (const event of data as Record<string, unknown>[]) {
      this.match(event);
      this.events.push({
        pixelId,
        event,
        receivedAt,
        ...(typeof testEventCode === 'string' ? { testEventCode } : {}),
      });
    }
    return { status: 200, body: { events_received: data.length, messages: [], fbtrace_id: traceId() } };
  }

  private match(event: Record<string, unknown>): void {
    const userData = event['user_data'] as Record<string, unknown>;
    for (const key of [...HASHED_KEYS, 'external_id']) {
      const values = userData[key];
      for (const hash of Array.isArray(values) ? values : values === undefined ? [] : [values]) {
        this.matches.push({ eventId: event['event_id'], key, result: this.matcher.match(key, String(hash)) });
      }
    }
  }
}

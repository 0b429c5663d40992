import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { FixedWindows, type WindowLimit } from './fixed-windows';
import {
  eventProblem,
  purchaseProblem,
  userUpdateProblem,
  type IterableProblem,
  type ProjectType,
} from './iterable-validation';

// Iterable's API: `Api-Key` (or `Api_Key`) header of a server-side key, JSON bodies of at most
// 4 MB. users/update, events/track, commerce/trackPurchase answer 200 {"code":"Success"} or 4xx
// {msg, code, params}; users/bulkUpdate and events/trackBulk (≤ 1000 items) answer 200 with
// success and failure counts and the failing items listed by email, userId or event name.
// An event with an `id` seen before overwrites that event.

export interface IterableEmulatorOptions extends EmulatorOptions {
  apiKey: string;
  /** How users are named: email-based, userId-based, or hybrid (either; the default). */
  projectType?: ProjectType;
  /** Event names the project blocks (listed in bulk answers). */
  disallowedEventNames?: string[];
  /** Limits per endpoint instead of Iterable's (5/s users/bulkUpdate, 10/s events/trackBulk). */
  rateLimits?: Record<string, WindowLimit[]>;
}

export interface IterableUser {
  email?: string;
  userId?: string;
  dataFields: Record<string, unknown>;
}

export interface IterablePurchase {
  user: string;
  body: Record<string, unknown>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_BULK = 1000;
/** Published per-key limits of the bulk endpoints (the single ones' are not published). */
const RATE_LIMITS: Record<string, WindowLimit[]> = {
  '/api/users/bulkUpdate': [{ windowMs: 1000, limit: 5 }],
  '/api/events/trackBulk': [{ windowMs: 1000, limit: 10 }],
};

const answer = (status: number, code: string, msg: string, params: unknown = null): EmulatorResponse => ({
  status,
  body: { msg, code, params },
});

function mergeFields(target: Record<string, unknown>, source: Record<string, unknown>, nested: boolean): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (nested && isPlainObject(value) && isPlainObject(current)) mergeFields(current, value, true);
    else target[key] = value;
  }
}

export class IterableEmulator extends Emulator {
  /** Users by "email:…" or "userId:…" (a user named both ways appears under both keys). */
  readonly users = new Map<string, IterableUser>();
  /** Events by id (a repeated id overwrites); events without id under a generated key. */
  readonly events = new Map<string, Record<string, unknown>>();
  /** How many events overwrote one with the same id. */
  overwrites = 0;
  readonly purchases: IterablePurchase[] = [];
  private anonymousEvents = 0;
  private readonly rates = new FixedWindows();

  constructor(private readonly options: IterableEmulatorOptions) {
    super(options);
  }

  protected clearAccepted(): void {
    this.users.clear();
    this.events.clear();
    this.purchases.length = 0;
    this.overwrites = 0;
    this.anonymousEvents = 0;
    this.rates.clear();
  }

  private get projectType(): ProjectType {
    return this.options.projectType ?? 'hybrid';
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const key = request.headers['api-key'] ?? request.headers['api_key'];
    if (key !== this.options.apiKey) {
      return answer(401, 'BadApiKey', 'Invalid API key', { endpoint: request.path });
    }
    if (request.method !== 'POST') return answer(405, 'BadParams', 'Method not allowed');
    if (this.rates.hit(request.path, (this.options.rateLimits ?? RATE_LIMITS)[request.path] ?? []) !== undefined) {
      return answer(429, 'RateLimitExceeded', 'Rate limit exceeded for this API key');
    }
    if (request.bytes > MAX_BODY_BYTES) return answer(413, 'BadParams', 'Request body larger than 4 MB');
    if (mediaType(request.headers) !== 'application/json') return answer(400, 'BadJsonBody', 'Expected JSON');
    const body = parseJson(request.body);
    if (!isPlainObject(body)) return answer(400, 'BadJsonBody', 'Could not parse the JSON body');
    switch (request.path) {
      case '/api/users/update':
        return this.single(userUpdateProblem(body, this.projectType), () => this.updateUser(body));
      case '/api/events/track':
        return this.single(eventProblem(body, this.projectType, this.disallowed), () => this.trackEvent(body));
      case '/api/commerce/trackPurchase':
        return this.single(purchaseProblem(body, this.projectType), () => this.trackPurchase(body));
      case '/api/users/bulkUpdate':
        return this.bulk(
          body['users'],
          (user) => userUpdateProblem(user, this.projectType),
          (user) => {
            this.updateUser(user);
          },
        );
      case '/api/events/trackBulk':
        return this.bulk(
          body['events'],
          (event) => eventProblem(event, this.projectType, this.disallowed),
          (event) => {
            this.trackEvent(event);
          },
        );
      default:
        return answer(404, 'NotFound', `No endpoint ${request.path}`);
    }
  }

  private get disallowed(): readonly string[] {
    return this.options.disallowedEventNames ?? [];
  }

  private single(problem: IterableProblem | undefined, apply: () => EmulatorResponse): EmulatorResponse {
    return problem ? answer(400, problem.code, problem.msg) : apply();
  }

  private bulk(
    items: unknown,
    problemOf: (item: Record<string, unknown>) => IterableProblem | undefined,
    apply: (item: Record<string, unknown>) => void,
  ): EmulatorResponse {
    if (!Array.isArray(items) || items.length === 0) return answer(400, 'BadParams', 'A non-empty list is required');
    if (items.length > MAX_BULK) return answer(400, 'BadParams', `At most ${MAX_BULK} items per request`);
    const lists = {
      invalidEmails: [] as string[],
      invalidUserIds: [] as string[],
      disallowedEventNames: [] as string[],
      invalidDataEmails: [] as string[],
      invalidDataUserIds: [] as string[],
    };
    let successCount = 0;
    for (const item of items) {
      const fields = isPlainObject(item) ? item : {};
      const problem = problemOf(fields);
      if (!problem) {
        apply(fields);
        successCount++;
        continue;
      }
      const email = typeof fields['email'] === 'string' ? fields['email'] : undefined;
      const userId = typeof fields['userId'] === 'string' ? fields['userId'] : undefined;
      if (problem.list === 'invalidEmails' && email) lists.invalidEmails.push(email);
      else if (problem.list === 'invalidUserIds' && userId) lists.invalidUserIds.push(userId);
      else if (problem.list === 'disallowedEventNames') lists.disallowedEventNames.push(String(fields['eventName']));
      else if (email) lists.invalidDataEmails.push(email);
      else if (userId) lists.invalidDataUserIds.push(userId);
    }
    const { invalidDataEmails, invalidDataUserIds, ...top } = lists;
    return {
      status: 200,
      body: {
        successCount,
        failCount: items.length - successCount,
        ...top,
        filteredOutFields: [],
        createdFields: [],
        failedUpdates: {
          invalidEmails: lists.invalidEmails,
          invalidUserIds: lists.invalidUserIds,
          notFoundEmails: [],
          notFoundUserIds: [],
          forgottenEmails: [],
          forgottenUserIds: [],
          conflictEmails: [],
          conflictUserIds: [],
          invalidDataEmails,
          invalidDataUserIds,
        },
      },
    };
  }

  /** The user a request names, created when new; its key. */
  private user(fields: Record<string, unknown>): { key: string; user: IterableUser } {
    const email = typeof fields['email'] === 'string' ? fields['email'] : undefined;
    const userId = typeof fields['userId'] === 'string' ? fields['userId'] : undefined;
    const keys = [email && `email:${email}`, userId && `userId:${userId}`].filter((k): k is string => !!k);
    const existing = keys.map((k) => this.users.get(k)).find((u) => u !== undefined);
    const user = existing ?? { dataFields: {} };
    if (email) user.email = email;
    if (userId) user.userId = userId;
    for (const k of keys) this.users.set(k, user);
    return { key: keys[0] as string, user };
  }

  private updateUser(body: Record<string, unknown>): EmulatorResponse {
    const { user } = this.user(body);
    if (isPlainObject(body['dataFields'])) {
      mergeFields(user.dataFields, body['dataFields'], body['mergeNestedObjects'] === true);
    }
    return answer(200, 'Success', '');
  }

  private trackEvent(body: Record<string, unknown>): EmulatorResponse {
    this.user(body);
    const id = typeof body['id'] === 'string' ? body['id'] : `generated-${++this.anonymousEvents}`;
    if (this.events.has(id)) this.overwrites++;
    this.events.set(id, body);
    return answer(200, 'Success', `Event with id: ${id} tracked.`, { id });
  }

  private trackPurchase(body: Record<string, unknown>): EmulatorResponse {
    const user = body['user'] as Record<string, unknown>;
    this.updateUser(user);
    this.purchases.push({ user: this.user(user).key, body });
    const id = typeof body['id'] === 'string' ? body['id'] : `purchase-${this.purchases.length}`;
    return answer(200, 'Success', `Purchase with id: ${id} tracked.`, { id });
  }
}

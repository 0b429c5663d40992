import { randomUUID } from 'node:crypto';
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
import { eventProblem, invalid, profileProblem, subscriptionJobProblem, type KlaviyoError } from './klaviyo-validation';

// Klaviyo's server API: `Authorization: Klaviyo-API-Key <private key>`, a `revision` header naming
// a published revision (one retired more than two years ago answers 410), JSON:API bodies.
// POST /api/events (202, a repeated unique_id per profile and metric recorded once),
// /api/profile-import (201 created / 200 updated), /api/profiles (201, or 409 with
// duplicate_profile_id), /api/profile-subscription-bulk-create-jobs (202).

export interface KlaviyoEmulatorOptions extends EmulatorOptions {
  apiKey: string;
  /** Lists that exist (subscription jobs naming another answer 404). */
  listIds?: string[];
  /** Burst and steady limits per endpoint instead of Klaviyo's (e.g. to see 429s at low volume). */
  rateLimits?: Record<string, WindowLimit[]>;
}

export interface KlaviyoProfile {
  id: string;
  attributes: Record<string, unknown>;
  /** Channel → list id ('' = the account) of marketing subscriptions. */
  subscriptions: { channel: 'email' | 'sms'; listId: string }[];
}

export interface KlaviyoEvent {
  profileId: string;
  metric: string;
  attributes: Record<string, unknown>;
}

/** Published revisions, quarterly since 2023 (a `.pre` suffix marks a pre-release of one). */
const REVISION = /^(\d{4})-(01|04|07|10)-15(\.pre)?$/;
const RETIRED_AFTER_MS = 2 * 366 * 24 * 3600 * 1000;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const PROFILE_IDENTIFIERS = ['email', 'phone_number', 'external_id', 'anonymous_id'];
const per = (second: number, minute: number): WindowLimit[] => [
  { windowMs: 1000, limit: second },
  { windowMs: 60_000, limit: minute },
];
/** Each endpoint's burst (1 s) and steady (1 min) limits, per account, as published. */
const RATE_LIMITS: Record<string, WindowLimit[]> = {
  '/api/events': per(350, 3500),
  '/api/profile-import': per(75, 750),
  '/api/profiles': per(75, 750),
  '/api/profile-subscription-bulk-create-jobs': per(75, 750),
};

const errors = (...list: KlaviyoError[]): EmulatorResponse => ({
  status: list[0]?.status ?? 400,
  headers: { 'content-type': 'application/vnd.api+json' },
  body: { errors: list.map((e) => ({ id: randomUUID(), ...e })) },
});

export class KlaviyoEmulator extends Emulator {
  readonly profiles = new Map<string, KlaviyoProfile>();
  /** Events recorded (a repeated unique_id is not). */
  readonly events: KlaviyoEvent[] = [];
  /** Events refused as repeats of a unique_id (Klaviyo answers 202 and records nothing). */
  duplicatesIgnored = 0;
  private readonly uniqueIds = new Set<string>();
  private readonly rates = new FixedWindows();

  constructor(private readonly options: KlaviyoEmulatorOptions) {
    super(options);
  }

  protected clearAccepted(): void {
    this.profiles.clear();
    this.events.length = 0;
    this.uniqueIds.clear();
    this.duplicatesIgnored = 0;
    this.rates.clear();
  }

  /** The profile these identifiers name: the first identifier (email, phone, external id, anonymous id) that names one. */
  profileBy(attributes: Record<string, unknown>): KlaviyoProfile | undefined {
    for (const key of PROFILE_IDENTIFIERS) {
      const value = attributes[key];
      if (typeof value !== 'string') continue;
      for (const profile of this.profiles.values()) if (profile.attributes[key] === value) return profile;
    }
    return undefined;
  }

  private headerProblem(request: EmulatorRequest): EmulatorResponse | undefined {
    if ((request.headers.authorization ?? '') !== `Klaviyo-API-Key ${this.options.apiKey}`) {
      return errors({
        status: 401,
        code: 'not_authenticated',
        title: 'Authentication credentials were not provided.',
        detail: 'Missing or invalid private key.',
      });
    }
    const revision = request.headers['revision'];
    const match = typeof revision === 'string' ? REVISION.exec(revision) : null;
    if (!match) {
      return errors(
        typeof revision === 'string'
          ? { ...invalid('', `Invalid revision: ${revision}`), source: { pointer: '/headers/revision' } }
          : { ...invalid('', 'Missing revision header'), source: { pointer: '/headers/revision' } },
      );
    }
    if (Date.parse(revision as string) + RETIRED_AFTER_MS < this.now()) {
      return errors({ status: 410, code: 'gone', title: 'Gone', detail: `Revision ${revision as string} is retired.` });
    }
    const type = mediaType(request.headers);
    if (type !== 'application/json' && type !== 'application/vnd.api+json') {
      return errors({ status: 415, code: 'unsupported_media_type', title: 'Unsupported media type.', detail: type });
    }
    if (request.bytes > MAX_BODY_BYTES) {
      return errors({ status: 413, code: 'request_too_large', title: 'Payload too large.', detail: 'over 5 MB' });
    }
    return undefined;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const path = request.path.replace(/\/+$/, '');
    const routes: Record<string, (data: unknown) => EmulatorResponse> = {
      '/api/events': (data) => this.createEvent(data),
      '/api/profile-import': (data) => this.importProfile(data),
      '/api/profiles': (data) => this.createProfile(data),
      '/api/profile-subscription-bulk-create-jobs': (data) => this.subscribe(data),
    };
    const route = routes[path];
    if (!route) return errors({ status: 404, code: 'not_found', title: 'Not found.', detail: path });
    if (request.method !== 'POST') {
      return errors({ status: 405, code: 'method_not_allowed', title: 'Method not allowed.', detail: request.method });
    }
    const problem = this.headerProblem(request);
    if (problem) return problem;
    const waitSeconds = this.rates.hit(path, (this.options.rateLimits ?? RATE_LIMITS)[path] ?? []);
    if (waitSeconds !== undefined) {
      return {
        ...errors({
          status: 429,
          code: 'throttled',
          title: 'Request was throttled.',
          detail: `Request was throttled. Expected available in ${waitSeconds} second${waitSeconds === 1 ? '' : 's'}.`,
        }),
        headers: { 'content-type': 'application/vnd.api+json', 'retry-after': String(waitSeconds) },
      };
    }
    const body = parseJson(request.body);
    if (!isPlainObject(body)) return errors(invalid('/', 'JSON parse error'));
    return route(body['data']);
  }

  private upsert(attributes: Record<string, unknown>): { profile: KlaviyoProfile; created: boolean } {
    const existing = this.profileBy(attributes);
    if (existing) {
      for (const [key, value] of Object.entries(attributes)) {
        if (key === 'properties' && isPlainObject(value) && isPlainObject(existing.attributes['properties'])) {
          Object.assign(existing.attributes['properties'], value);
        } else if (key !== 'subscriptions') existing.attributes[key] = value;
      }
      return { profile: existing, created: false };
    }
    const { subscriptions: _s, ...rest } = attributes;
    const profile: KlaviyoProfile = {
      id: randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase(),
      attributes: rest,
      subscriptions: [],
    };
    this.profiles.set(profile.id, profile);
    return { profile, created: true };
  }

  private resource(profile: KlaviyoProfile) {
    return { data: { type: 'profile', id: profile.id, attributes: profile.attributes } };
  }

  private createEvent(data: unknown): EmulatorResponse {
    const problem = eventProblem(data, this.now());
    if (problem) return errors(problem);
    const attributes = (data as { attributes: Record<string, unknown> }).attributes;
    const metric = (attributes['metric'] as { data: { attributes: { name: string } } }).data.attributes.name;
    const identity = (attributes['profile'] as { data: { attributes: Record<string, unknown> } }).data.attributes;
    const { profile } = this.upsert(identity);
    const uniqueId = attributes['unique_id'];
    if (typeof uniqueId === 'string') {
      const key = `${profile.id}|${metric}|${uniqueId}`;
      if (this.uniqueIds.has(key)) {
        this.duplicatesIgnored++;
        return { status: 202 };
      }
      this.uniqueIds.add(key);
    }
    this.events.push({ profileId: profile.id, metric, attributes });
    return { status: 202 };
  }

  private importProfile(data: unknown): EmulatorResponse {
    const problem = profileProblem(data);
    if (problem) return errors(problem);
    const { profile, created } = this.upsert((data as { attributes: Record<string, unknown> }).attributes);
    return {
      status: created ? 201 : 200,
      headers: { 'content-type': 'application/vnd.api+json' },
      body: this.resource(profile),
    };
  }

  private createProfile(data: unknown): EmulatorResponse {
    const problem = profileProblem(data);
    if (problem) return errors(problem);
    const attributes = (data as { attributes: Record<string, unknown> }).attributes;
    const existing = this.profileBy(attributes);
    if (existing) {
      return errors({
        status: 409,
        code: 'duplicate_profile',
        title: 'Conflict.',
        detail: 'A profile already exists with one of these identifiers.',
        source: { pointer: '/data/attributes' },
        meta: { duplicate_profile_id: existing.id },
      });
    }
    return {
      status: 201,
      headers: { 'content-type': 'application/vnd.api+json' },
      body: this.resource(this.upsert(attributes).profile),
    };
  }

  private subscribe(data: unknown): EmulatorResponse {
    const problem = subscriptionJobProblem(data, this.now());
    if (problem) return errors(problem);
    const job = data as {
      attributes: { profiles: { data: { attributes: Record<string, unknown> }[] } };
      relationships?: { list: { data: { id: string } } };
    };
    const listId = job.relationships?.list.data.id ?? '';
    if (listId && !(this.options.listIds ?? []).includes(listId)) {
      return errors({ status: 404, code: 'not_found', title: 'Not found.', detail: `List ${listId} does not exist.` });
    }
    for (const { attributes } of job.attributes.profiles.data) {
      const { profile } = this.upsert(attributes);
      for (const channel of ['email', 'sms'] as const) {
        if (isPlainObject(attributes['subscriptions']) && attributes['subscriptions'][channel]) {
          profile.subscriptions.push({ channel, listId });
        }
      }
    }
    return { status: 202 };
  }
}

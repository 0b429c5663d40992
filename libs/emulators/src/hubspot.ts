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
import { eventProblem, MAX_BATCH_INPUTS, MAX_EVENT_BATCH_INPUTS, upsertInputProblem } from './hubspot-validation';
import { OAuthProvider, type OAuthProviderOptions } from './oauth-provider';

// HubSpot's CRM v3 batch upserts and reads (contacts, companies), the v4 default association of
// companies with contacts, and custom behavioural events, with
// private-app tokens or OAuth access tokens (the OAuth provider is served on the same port,
// standing in for both app.hubspot.com's authorize page and api.hubapi.com's token endpoint).

export interface HubspotEmulatorOptions extends EmulatorOptions {
  /** The account's HubID: event names are `pe<portalId>_<name>`. */
  portalId: string;
  /** Private-app tokens the account accepts. */
  privateAppTokens?: readonly string[];
  /**
   * The scopes granted to some of those tokens: a call needing one they lack is answered 403
   * `MISSING_SCOPES` (REQUIRED_SCOPES). A token not listed here may call every endpoint.
   */
  privateAppScopes?: Readonly<Record<string, readonly string[]>>;
  /** A public app's OAuth client: its access tokens are accepted too. */
  oauth?: OAuthProviderOptions;
  /** Custom event definitions that exist; every well-formed name when absent. */
  eventNames?: readonly string[];
  /** Company properties with unique values that upserts may name as `idProperty`. */
  companyUniqueProperties?: readonly string[];
  /** Requests per token per rolling 10 s (190: a private app on Professional). */
  burstPer10s?: number;
}

export interface HubspotRecord {
  id: string;
  properties: Record<string, unknown>;
}

export interface HubspotEventOccurrence {
  eventName: string;
  email?: string;
  utk?: string;
  objectId?: string;
  occurredAt?: string;
  uuid?: string;
  properties: Record<string, unknown>;
}

const OBJECTS = {
  '/crm/v3/objects/contacts/batch/upsert': 'contacts',
  '/crm/v3/objects/companies/batch/upsert': 'companies',
} as const;
const READS = {
  '/crm/v3/objects/contacts/batch/read': 'contacts',
  '/crm/v3/objects/companies/batch/read': 'companies',
} as const;
const ASSOCIATE_DEFAULT = '/crm/v4/associations/companies/contacts/batch/associate/default';
const SEND_EVENT = '/events/v3/send';
const SEND_EVENTS_BATCH = '/events/v3/send/batch';
/** The scopes each endpoint needs (a call needs every one of them). */
const REQUIRED_SCOPES: Readonly<Record<string, readonly string[]>> = {
  '/crm/v3/objects/contacts/batch/upsert': ['crm.objects.contacts.write'],
  '/crm/v3/objects/companies/batch/upsert': ['crm.objects.companies.write'],
  '/crm/v3/objects/contacts/batch/read': ['crm.objects.contacts.read'],
  '/crm/v3/objects/companies/batch/read': ['crm.objects.companies.read'],
  [ASSOCIATE_DEFAULT]: ['crm.objects.companies.write', 'crm.objects.contacts.write'],
  [SEND_EVENT]: ['analytics.behavioral_events.send'],
  [SEND_EVENTS_BATCH]: ['analytics.behavioral_events.send'],
};
/** HubSpot's default (unlabelled) company → contact association type. */
const COMPANY_TO_CONTACT = 280;

export class HubspotEmulator extends Emulator {
  /** The OAuth authorization server, when the emulator has an OAuth client. */
  readonly oauth: OAuthProvider | undefined;
  /** Contacts by email. */
  readonly contacts = new Map<string, HubspotRecord>();
  /** Companies by `<idProperty>:<value>`. */
  readonly companies = new Map<string, HubspotRecord>();
  /** Company → contact associations, as `<companyId>-><contactId>`. */
  readonly associations = new Set<string>();
  /** Event occurrences accepted, one per `uuid` (repeats are counted in `duplicatesIgnored`). */
  readonly events: HubspotEventOccurrence[] = [];
  duplicatesIgnored = 0;
  private readonly uuids = new Set<string>();
  private readonly window = new Map<string, number[]>();
  private nextId = 101;
  private eventNames: readonly string[] | undefined;
  private readonly scopes: Map<string, readonly string[]>;

  constructor(private readonly options: HubspotEmulatorOptions) {
    super(options);
    this.eventNames = options.eventNames;
    this.scopes = new Map(Object.entries(options.privateAppScopes ?? {}));
    this.oauth = options.oauth ? new OAuthProvider(options.oauth, this.now) : undefined;
  }

  protected clearAccepted(): void {
    this.contacts.clear();
    this.companies.clear();
    this.associations.clear();
    this.events.length = 0;
    this.uuids.clear();
    this.duplicatesIgnored = 0;
    this.window.clear();
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const oauth = this.oauth?.handle(request);
    if (oauth) return oauth;
    const object = OBJECTS[request.path as keyof typeof OBJECTS];
    const read = READS[request.path as keyof typeof READS];
    const known =
      object !== undefined ||
      read !== undefined ||
      request.path === ASSOCIATE_DEFAULT ||
      request.path === SEND_EVENT ||
      request.path === SEND_EVENTS_BATCH;
    if (!known) return error(404, 'OBJECT_NOT_FOUND', `No route for ${request.method} ${request.path}`);
    const auth = this.authenticate(request.headers.authorization) ?? this.authorizeScopes(request);
    if (auth) return auth;
    if (request.method !== 'POST') return error(405, 'VALIDATION_ERROR', 'Method not allowed');
    if (mediaType(request.headers) !== 'application/json') {
      return error(415, 'VALIDATION_ERROR', 'Content-Type must be application/json');
    }
    const body = parseJson(request.body);
    if (body === undefined) return error(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1');
    if (object) return this.upsert(object, body);
    if (read) return this.read(read, body);
    if (request.path === ASSOCIATE_DEFAULT) return this.associate(body);
    if (request.path === SEND_EVENTS_BATCH) return this.sendEvents(body);
    return this.sendEvent(body);
  }

  /** The `inputs` of a batch body (1 to 100), or the error answer. */
  private batchInputs(body: unknown): unknown[] | EmulatorResponse {
    const inputs = isPlainObject(body) ? body['inputs'] : undefined;
    if (!Array.isArray(inputs) || inputs.length === 0) {
      return error(400, 'VALIDATION_ERROR', 'inputs must be a non-empty array');
    }
    if (inputs.length > MAX_BATCH_INPUTS) {
      return error(400, 'VALIDATION_ERROR', `Batch input cannot have more than ${MAX_BATCH_INPUTS} inputs`);
    }
    return inputs;
  }

  /** POST …/batch/read: records by id, or by a unique property (`idProperty`); 207 names those not found. */
  private read(object: 'contacts' | 'companies', body: unknown): EmulatorResponse {
    const inputs = this.batchInputs(body);
    if (!Array.isArray(inputs)) return inputs;
    const { idProperty, properties } = body as { idProperty?: unknown; properties?: unknown };
    const unique = object === 'contacts' ? ['email'] : (this.options.companyUniqueProperties ?? []);
    if (idProperty !== undefined && (typeof idProperty !== 'string' || !unique.includes(idProperty))) {
      return error(400, 'VALIDATION_ERROR', `Property "${String(idProperty)}" is not a unique identifier property`);
    }
    if (properties !== undefined && (!Array.isArray(properties) || properties.some((p) => typeof p !== 'string'))) {
      return error(400, 'VALIDATION_ERROR', 'properties must be a list of property names');
    }
    const store = object === 'contacts' ? this.contacts : this.companies;
    const wanted = (properties as string[] | undefined) ?? [];
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const id = isPlainObject(input) && typeof input['id'] === 'string' ? input['id'] : undefined;
      if (id === undefined) return error(400, 'VALIDATION_ERROR', 'Each input needs a string id');
      const record = idProperty
        ? store.get(object === 'contacts' ? id.toLowerCase() : `${String(idProperty)}:${id}`)
        : [...store.values()].find((r) => r.id === id);
      if (!record) {
        missing.push(id);
        continue;
      }
      const shown = Object.fromEntries(
        wanted.filter((p) => p in record.properties).map((p) => [p, record.properties[p]]),
      );
      results.push({ id: record.id, properties: { ...shown, hs_object_id: record.id }, archived: false });
    }
    const at = new Date(this.now()).toISOString();
    const summary = { status: 'COMPLETE', results, requestedAt: at, startedAt: at, completedAt: at };
    if (missing.length === 0) return { status: 200, body: summary };
    const kind = object === 'contacts' ? 'CONTACT' : 'COMPANY';
    const notFound = {
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: `Could not get some ${kind} objects, they may be deleted or not exist. Check that ids are valid.`,
      context: { ids: missing },
    };
    return { status: 207, body: { ...summary, numErrors: 1, errors: [notFound] } };
  }

  /** POST /crm/v4/associations/companies/contacts/batch/associate/default: record ids must exist. */
  private associate(body: unknown): EmulatorResponse {
    const inputs = this.batchInputs(body);
    if (!Array.isArray(inputs)) return inputs;
    const idOf = (side: unknown) => (isPlainObject(side) && typeof side['id'] === 'string' ? side['id'] : undefined);
    const companyIds = new Set([...this.companies.values()].map((r) => r.id));
    const contactIds = new Set([...this.contacts.values()].map((r) => r.id));
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of inputs) {
      const from = isPlainObject(input) ? idOf(input['from']) : undefined;
      const to = isPlainObject(input) ? idOf(input['to']) : undefined;
      if (from === undefined || to === undefined) {
        return error(400, 'VALIDATION_ERROR', 'Each input needs from.id and to.id');
      }
      if (!companyIds.has(from) || !contactIds.has(to)) {
        errors.push({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: `No ${companyIds.has(from) ? 'contact' : 'company'} with id ${companyIds.has(from) ? to : from}`,
          context: { fromObjectId: [from], toObjectId: [to] },
        });
        continue;
      }
      this.associations.add(`${from}->${to}`);
      results.push({
        from: { id: from },
        to: { id: to },
        associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: COMPANY_TO_CONTACT },
      });
    }
    const at = new Date(this.now()).toISOString();
    const summary = { status: 'COMPLETE', results, requestedAt: at, startedAt: at, completedAt: at };
    if (errors.length === 0) return { status: 200, body: summary };
    return { status: 207, body: { ...summary, numErrors: errors.length, errors } };
  }

  /** 401 for a missing or unknown token, 429 past the 10-second window; undefined when let through. */
  private authenticate(authorization: string | undefined): EmulatorResponse | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const privateApp = token !== undefined && (this.options.privateAppTokens ?? []).includes(token);
    const check = privateApp ? 'valid' : (this.oauth?.checkBearer(authorization) ?? 'unknown');
    if (check === 'expired') {
      return error(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    }
    if (check !== 'valid' || token === undefined) {
      return error(
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      );
    }
    const limit = this.options.burstPer10s ?? 190;
    const now = this.now();
    const recent = (this.window.get(token) ?? []).filter((at) => at > now - 10_000);
    if (recent.length >= limit) {
      return {
        status: 429,
        body: {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: randomUUID(),
          policyName: 'TEN_SECONDLY_ROLLING',
        },
      };
    }
    recent.push(now);
    this.window.set(token, recent);
    return undefined;
  }

  /** Lists the scopes of a private-app token (see privateAppScopes); undefined lets it call every endpoint again. */
  grantScopes(token: string, scopes: readonly string[] | undefined): void {
    if (scopes) this.scopes.set(token, scopes);
    else this.scopes.delete(token);
  }

  /** 403 MISSING_SCOPES when the private-app token has listed scopes and lacks one the endpoint needs. */
  private authorizeScopes(request: EmulatorRequest): EmulatorResponse | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const granted = this.scopes.get(token);
    if (!granted) return undefined;
    const missing = (REQUIRED_SCOPES[request.path] ?? []).filter((scope) => !granted.includes(scope));
    if (missing.length === 0) return undefined;
    return {
      status: 403,
      body: {
        status: 'error',
        message:
          "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        correlationId: randomUUID(),
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredGranularScopes: missing },
          },
        ],
        category: 'MISSING_SCOPES',
      },
    };
  }

  private upsert(object: 'contacts' | 'companies', body: unknown): EmulatorResponse {
    const inputs = this.batchInputs(body);
    if (!Array.isArray(inputs)) return inputs;
    const ids = inputs.map((input) => (isPlainObject(input) ? input['id'] : undefined));
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (duplicates.length > 0) {
      return error(400, 'VALIDATION_ERROR', `Duplicate IDs found in batch input: ${JSON.stringify(duplicates)}`);
    }
    const unique = object === 'contacts' ? ['email'] : (this.options.companyUniqueProperties ?? []);
    const results: unknown[] = [];
    const errors: unknown[] = [];
    const at = new Date(this.now()).toISOString();
    for (const input of inputs) {
      const problem = upsertInputProblem(input, unique, object);
      const id = isPlainObject(input) ? String(input['id']) : '';
      if (problem) {
        errors.push({ status: 'error', category: 'VALIDATION_ERROR', message: problem, context: { ids: [id] } });
        continue;
      }
      const { idProperty, properties } = input as { idProperty: string; properties?: Record<string, unknown> };
      const store = object === 'contacts' ? this.contacts : this.companies;
      const key = object === 'contacts' ? id.toLowerCase() : `${idProperty}:${id}`;
      const existing = store.get(key);
      const record = existing ?? { id: String(this.nextId++), properties: { [idProperty]: id } };
      for (const [name, value] of Object.entries(properties ?? {})) {
        // HubSpot stores property values as strings; an empty string clears one.
        if (value === null || value === '') delete record.properties[name];
        else record.properties[name] = String(value);
      }
      store.set(key, record);
      results.push({ id: record.id, new: !existing, properties: record.properties, createdAt: at, updatedAt: at });
    }
    const summary = { status: 'COMPLETE', results, requestedAt: at, startedAt: at, completedAt: at };
    if (errors.length === 0) return { status: 200, body: summary };
    return { status: 207, body: { ...summary, numErrors: errors.length, errors } };
  }

  /** Custom event definitions that exist from now on (every well-formed name when undefined). */
  defineEvents(names: readonly string[] | undefined): void {
    this.eventNames = names;
  }

  private sendEvent(body: unknown): EmulatorResponse {
    const problem = eventProblem(body, this.options.portalId, this.eventNames);
    if (problem) return error(400, 'VALIDATION_ERROR', problem);
    this.record(body as HubspotEventOccurrence);
    return { status: 204 };
  }

  /**
   * POST /events/v3/send/batch: 1 to 500 occurrences, each checked as `/events/v3/send` checks
   * one; one invalid occurrence fails the whole batch with a 400 that does not say which (nothing
   * of the batch is recorded). 204 with no body.
   */
  private sendEvents(body: unknown): EmulatorResponse {
    const inputs = isPlainObject(body) ? body['inputs'] : undefined;
    if (!Array.isArray(inputs) || inputs.length === 0) {
      return error(400, 'VALIDATION_ERROR', 'inputs must be a non-empty array');
    }
    if (inputs.length > MAX_EVENT_BATCH_INPUTS) {
      return error(400, 'VALIDATION_ERROR', `Batch input cannot have more than ${MAX_EVENT_BATCH_INPUTS} inputs`);
    }
    const problem = inputs
      .map((input) => eventProblem(input, this.options.portalId, this.eventNames))
      .find((p) => p !== undefined);
    if (problem) return error(400, 'VALIDATION_ERROR', `Invalid event in batch: ${problem}`);
    for (const input of inputs) this.record(input as HubspotEventOccurrence);
    return { status: 204 };
  }

  /** An occurrence taken: kept once per `uuid`. */
  private record(occurrence: HubspotEventOccurrence & { properties?: Record<string, unknown> }): void {
    if (occurrence.uuid !== undefined) {
      if (this.uuids.has(occurrence.uuid)) {
        this.duplicatesIgnored++;
        return;
      }
      this.uuids.add(occurrence.uuid);
    }
    this.events.push({ ...occurrence, properties: occurrence.properties ?? {} });
  }
}

/** HubSpot's error body, the same on every endpoint. */
function error(status: number, category: string, message: string): EmulatorResponse {
  return { status, body: { status: 'error', message, correlationId: randomUUID(), category } };
}

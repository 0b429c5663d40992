import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import {
  companyProblem,
  contactProblem,
  eventProblem,
  KNOWN_VERSIONS,
  MAX_METADATA_KEYS,
  type IntercomProblem,
} from './intercom-validation';
import { IntercomAttributes, type IntercomDataType, type IntercomModel } from './intercom-attributes';

// Intercom's REST API over an in-memory workspace: contact search,
// create and update, companies (upsert by company_id) and attaching contacts to them, data
// events (202, duplicates on contact + name + created_at ignored), data attributes (custom
// attributes must exist, with the right type, before a contact or company names them). Rate-limit
// headers on every answer; 429 beyond the limit.

export interface IntercomEmulatorOptions extends EmulatorOptions {
  accessToken: string;
  /** Custom data attributes that exist from the start, by model, name → data type; others are refused until created. */
  dataAttributes?: Partial<Record<IntercomModel, Record<string, IntercomDataType>>>;
  /** Custom data attributes a model may have (Intercom's plan limit); 250 by default. */
  maxCustomAttributes?: number;
  /** A new contact shows up in search only after this long (Intercom's index lag); 0 by default. */
  searchLagMs?: number;
  /** Requests per minute before 429; 10 000 like a private app. */
  ratePerMinute?: number;
}

export interface IntercomContact {
  type: 'contact';
  id: string;
  role: 'user' | 'lead';
  external_id: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  avatar: string | null;
  owner_id: number | null;
  signed_up_at: number | null;
  last_seen_at: number | null;
  unsubscribed_from_emails: boolean;
  custom_attributes: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  /** Intercom ids of the companies the contact is attached to. */
  companies: string[];
}

export interface IntercomCompany {
  type: 'company';
  id: string;
  company_id: string;
  name: string | null;
  plan: string | null;
  size: number | null;
  website: string | null;
  industry: string | null;
  monthly_spend: number;
  remote_created_at: number | null;
  custom_attributes: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

export interface IntercomEvent {
  contactId: string;
  event_name: string;
  created_at: number;
  /** The first 10 metadata keys, as Intercom keeps them. */
  metadata: Record<string, unknown>;
}

const CONTACT_FIELDS = [
  'role',
  'external_id',
  'email',
  'phone',
  'name',
  'avatar',
  'owner_id',
  'signed_up_at',
  'last_seen_at',
  'unsubscribed_from_emails',
] as const;

export class IntercomEmulator extends Emulator {
  readonly contacts = new Map<string, IntercomContact>();
  /** Companies by your company_id. */
  readonly companies = new Map<string, IntercomCompany>();
  readonly events: IntercomEvent[] = [];
  duplicatesIgnored = 0;
  /** The workspace's data attributes (GET/POST /data_attributes). */
  readonly attributes: IntercomAttributes;
  private sequence = 0;
  private window = { start: 0, count: 0 };

  constructor(private readonly options: IntercomEmulatorOptions) {
    super(options);
    this.attributes = new IntercomAttributes(options.dataAttributes, options.maxCustomAttributes);
  }

  /** The contact with this external_id, if any. */
  contactByExternalId(externalId: string): IntercomContact | undefined {
    return [...this.contacts.values()].find((c) => c.external_id === externalId);
  }

  protected clearAccepted(): void {
    this.contacts.clear();
    this.companies.clear();
    this.events.length = 0;
    this.duplicatesIgnored = 0;
    this.attributes.reset();
    this.sequence = 0;
    this.window = { start: 0, count: 0 };
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const limited = this.rateLimit();
    const answer = this.route(request, limited.over);
    return { ...answer, headers: { ...limited.headers, ...answer.headers } };
  }

  private route(request: EmulatorRequest, overLimit: boolean): EmulatorResponse {
    if (request.headers.authorization !== `Bearer ${this.options.accessToken}`) {
      return this.error(401, 'unauthorized', 'Access Token Invalid');
    }
    if (overLimit) return this.error(429, 'rate_limit_exceeded', 'Exceeded rate limit of requests per minute');
    const version = request.headers['intercom-version'];
    if (typeof version === 'string' && !KNOWN_VERSIONS.includes(version)) {
      return this.error(400, 'intercom_version_invalid', `The requested version ${version} does not exist`);
    }
    if (request.method === 'GET' && request.path === '/me') {
      return { status: 200, body: { type: 'admin', id: '991267', name: 'Manifold', email: 'ops@example.com' } };
    }
    if (request.method === 'GET' && request.path === '/data_attributes') {
      const model = request.query.get('model');
      if (model !== null && model !== 'contact' && model !== 'company') {
        return this.error(400, 'parameter_invalid', 'model must be contact or company');
      }
      return { status: 200, body: { type: 'list', data: this.attributes.list(model ?? undefined) } };
    }
    let body: Record<string, unknown> = {};
    if (request.method === 'POST' || request.method === 'PUT') {
      if (mediaType(request.headers) !== 'application/json') {
        return this.error(415, 'unsupported_media_type', 'Content-Type must be application/json');
      }
      const parsed = parseJson(request.body);
      if (!isPlainObject(parsed)) return this.error(400, 'bad_request', 'The request body is not a JSON object');
      body = parsed;
    }
    const contactPath = /^\/contacts\/([^/]+)(\/companies)?$/.exec(request.path);
    if (request.method === 'POST' && request.path === '/contacts/search') return this.search(body);
    if (request.method === 'POST' && request.path === '/contacts') return this.createContact(body);
    if (request.method === 'PUT' && contactPath && !contactPath[2]) {
      return this.updateContact(decodeURIComponent(contactPath[1] as string), body);
    }
    if (request.method === 'POST' && contactPath?.[2]) {
      return this.attach(decodeURIComponent(contactPath[1] as string), body);
    }
    if (request.method === 'POST' && request.path === '/companies') return this.upsertCompany(body);
    if (request.method === 'POST' && request.path === '/events') return this.submitEvent(body);
    if (request.method === 'POST' && request.path === '/data_attributes') {
      const created = this.attributes.create(body);
      return Array.isArray(created) ? this.invalid(created) : { status: 200, body: created };
    }
    return this.error(404, 'not_found', 'Resource Not Found');
  }

  private search(body: Record<string, unknown>): EmulatorResponse {
    const query = body['query'];
    if (!isPlainObject(query)) return this.error(400, 'parameter_not_found', 'query is required');
    const matcher = queryMatcher(query);
    if (typeof matcher === 'string') return this.error(400, 'parameter_invalid', matcher);
    const visibleBefore = this.now() - (this.options.searchLagMs ?? 0);
    const data = [...this.contacts.values()].filter((c) => c.created_at * 1000 <= visibleBefore && matcher(c));
    return {
      status: 200,
      body: {
        type: 'list',
        data: data.map(contactJson),
        total_count: data.length,
        pages: { type: 'pages', page: 1, per_page: 50, total_pages: data.length > 0 ? 1 : 0 },
      },
    };
  }

  private createContact(body: Record<string, unknown>): EmulatorResponse {
    const problem = contactProblem(body, true, (value) => this.attributes.valuesProblem('contact', value));
    if (problem) return this.invalid(problem);
    const role = (body['role'] ?? 'user') as 'user' | 'lead';
    const conflict = this.conflicting(body, role);
    if (conflict)
      return this.error(409, 'conflict', `A contact matching those details already exists with id=${conflict.id}`);
    const now = Math.floor(this.now() / 1000);
    const contact: IntercomContact = {
      type: 'contact',
      id: this.nextId(),
      role,
      external_id: null,
      email: null,
      phone: null,
      name: null,
      avatar: null,
      owner_id: null,
      signed_up_at: null,
      last_seen_at: null,
      unsubscribed_from_emails: false,
      custom_attributes: {},
      created_at: now,
      updated_at: now,
      companies: [],
    };
    this.assign(contact, body);
    this.contacts.set(contact.id, contact);
    return { status: 200, body: contactJson(contact) };
  }

  private updateContact(id: string, body: Record<string, unknown>): EmulatorResponse {
    const contact = this.contacts.get(id);
    if (!contact) return this.error(404, 'not_found', 'User Not Found');
    const problem = contactProblem(body, false, (value) => this.attributes.valuesProblem('contact', value));
    if (problem) return this.invalid(problem);
    const role = (body['role'] ?? contact.role) as 'user' | 'lead';
    const conflict = this.conflicting(body, role, id);
    if (conflict)
      return this.error(409, 'conflict', `A contact matching those details already exists with id=${conflict.id}`);
    this.assign(contact, body);
    contact.updated_at = Math.floor(this.now() / 1000);
    return { status: 200, body: contactJson(contact) };
  }

  private upsertCompany(body: Record<string, unknown>): EmulatorResponse {
    const problem = companyProblem(body, (value) => this.attributes.valuesProblem('company', value));
    if (problem) return this.invalid(problem);
    const now = Math.floor(this.now() / 1000);
    const companyId = body['company_id'] as string;
    const company: IntercomCompany = this.companies.get(companyId) ?? {
      type: 'company',
      id: this.nextId(),
      company_id: companyId,
      name: null,
      plan: null,
      size: null,
      website: null,
      industry: null,
      monthly_spend: 0,
      remote_created_at: null,
      custom_attributes: {},
      created_at: now,
      updated_at: now,
    };
    for (const key of ['name', 'plan', 'size', 'website', 'industry', 'remote_created_at'] as const) {
      if (body[key] !== undefined) (company as unknown as Record<string, unknown>)[key] = body[key];
    }
    // Intercom keeps monthly_spend as an integer (it truncates).
    if (typeof body['monthly_spend'] === 'number') company.monthly_spend = Math.trunc(body['monthly_spend']);
    if (isPlainObject(body['custom_attributes'])) Object.assign(company.custom_attributes, body['custom_attributes']);
    company.updated_at = now;
    this.companies.set(companyId, company);
    return { status: 200, body: { ...company, user_count: this.userCount(company.id) } };
  }

  private attach(contactId: string, body: Record<string, unknown>): EmulatorResponse {
    const contact = this.contacts.get(contactId);
    if (!contact) return this.error(404, 'not_found', 'User Not Found');
    if (typeof body['id'] !== 'string') return this.error(400, 'parameter_not_found', 'id is required');
    const company = [...this.companies.values()].find((c) => c.id === body['id']);
    if (!company) return this.error(404, 'company_not_found', 'Company Not Found');
    if (!contact.companies.includes(company.id)) contact.companies.push(company.id);
    return { status: 200, body: { ...company, user_count: this.userCount(company.id) } };
  }

  private submitEvent(body: Record<string, unknown>): EmulatorResponse {
    const problem = eventProblem(body);
    if (problem) return this.invalid(problem);
    const contact = this.eventContact(body);
    if (!contact) return this.error(404, 'not_found', 'User Not Found');
    const name = body['event_name'] as string;
    const createdAt = body['created_at'] as number;
    const duplicate = this.events.some(
      (e) =>
        e.contactId === contact.id && e.event_name.toLowerCase() === name.toLowerCase() && e.created_at === createdAt,
    );
    if (duplicate) {
      this.duplicatesIgnored++;
    } else {
      const metadata = isPlainObject(body['metadata']) ? body['metadata'] : {};
      this.events.push({
        contactId: contact.id,
        event_name: name,
        created_at: createdAt,
        metadata: Object.fromEntries(Object.entries(metadata).slice(0, MAX_METADATA_KEYS)),
      });
    }
    return { status: 202 };
  }

  /** user_id names a user by external_id, id an Intercom contact, email a user by email. */
  private eventContact(body: Record<string, unknown>): IntercomContact | undefined {
    if (typeof body['id'] === 'string') return this.contacts.get(body['id']);
    if (typeof body['user_id'] === 'string') return this.contactByExternalId(body['user_id']);
    const email = body['email'];
    return [...this.contacts.values()].find((c) => c.role === 'user' && c.email === email);
  }

  /** A user with the same external_id or email (leads may share emails). */
  private conflicting(body: Record<string, unknown>, role: string, self?: string): IntercomContact | undefined {
    return [...this.contacts.values()].find(
      (c) =>
        c.id !== self &&
        ((body['external_id'] !== undefined && c.external_id === body['external_id']) ||
          (role === 'user' && c.role === 'user' && body['email'] !== undefined && c.email === body['email'])),
    );
  }

  private assign(contact: IntercomContact, body: Record<string, unknown>): void {
    const target = contact as unknown as Record<string, unknown>;
    for (const key of CONTACT_FIELDS) if (body[key] !== undefined) target[key] = body[key];
    if (isPlainObject(body['custom_attributes'])) Object.assign(contact.custom_attributes, body['custom_attributes']);
  }

  private userCount(companyId: string): number {
    return [...this.contacts.values()].filter((c) => c.companies.includes(companyId)).length;
  }

  private nextId(): string {
    this.sequence++;
    return `66a1${this.sequence.toString(16).padStart(20, '0')}`;
  }

  private rateLimit(): { over: boolean; headers: Record<string, string> } {
    const limit = this.options.ratePerMinute ?? 10_000;
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    if (this.window.start !== minute) this.window = { start: minute, count: 0 };
    this.window.count++;
    return {
      over: this.window.count > limit,
      headers: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, limit - this.window.count)),
        'x-ratelimit-reset': String((minute + 60_000) / 1000),
      },
    };
  }

  private invalid([code, message]: IntercomProblem): EmulatorResponse {
    return this.error(400, code, message);
  }

  private error(status: number, code: string, message: string): EmulatorResponse {
    return {
      status,
      body: {
        type: 'error.list',
        request_id: `req-${this.requests.length.toString(16).padStart(8, '0')}`,
        errors: [{ code, message }],
      },
    };
  }
}

function contactJson(contact: IntercomContact): Record<string, unknown> {
  const { companies, ...rest } = contact;
  return {
    ...rest,
    companies: { type: 'list', data: companies.map((id) => ({ type: 'company', id })), total_count: companies.length },
  };
}

type Matcher = (contact: IntercomContact) => boolean;

/** A search query: {field, operator, value} or {operator: AND|OR, value: [queries]}. */
function queryMatcher(query: Record<string, unknown>): Matcher | string {
  const operator = query['operator'];
  if (operator === 'AND' || operator === 'OR') {
    const parts = Array.isArray(query['value'])
      ? query['value'].map((q) => (isPlainObject(q) ? queryMatcher(q) : 'invalid query'))
      : [];
    const invalid = parts.find((p) => typeof p === 'string');
    if (invalid !== undefined || parts.length === 0) return (invalid as string) ?? 'AND/OR needs a list of queries';
    const matchers = parts as Matcher[];
    return operator === 'AND' ? (c) => matchers.every((m) => m(c)) : (c) => matchers.some((m) => m(c));
  }
  const field = query['field'];
  if (typeof field !== 'string' || !['id', 'external_id', 'email', 'role', 'name', 'phone'].includes(field)) {
    return `cannot search on field ${String(field)}`;
  }
  const value = query['value'];
  if (operator === '=') return (c) => (c as unknown as Record<string, unknown>)[field] === value;
  if (operator === '!=') return (c) => (c as unknown as Record<string, unknown>)[field] !== value;
  return `operator ${String(operator)} is not supported`;
}

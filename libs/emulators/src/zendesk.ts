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
import { FixedWindows } from './fixed-windows';
import {
  FIELD_TYPES,
  fieldValueProblems,
  organizationDetails,
  userDetails,
  type Details,
  type ZendeskField,
} from './zendesk-validation';

// Zendesk Support API v2: Basic auth `{agent email}/token:{api token}` (or Bearer of the token).
// users/create_or_update matches by email or external_id (case-insensitive) → 200, or creates →
// 201 + Location (a name is needed); organizations/create_or_update matches by id or external_id
// only (a name is needed and unique). Custom field values must be of their field's type (422);
// keys without a field are ignored by Zendesk (recorded in `ignoredFields`). Memberships,
// users/search by external_id, field listing and creation. users/create_or_update_many (1–100
// users) answers 200 with a queued job; the users are upserted one by one as the single call
// would, and GET /api/v2/job_statuses/{id} lists one result per user in the order sent (Created,
// Updated, or Failed with error and details). An account-wide per-minute limit answers 429 with
// Retry-After. `.json` suffixes are accepted.

export interface ZendeskEmulatorOptions extends EmulatorOptions {
  agentEmail: string;
  apiToken: string;
  userFields?: ZendeskField[];
  organizationFields?: ZendeskField[];
  /** Requests per minute for the account (Zendesk's plans: 200 to 2500; default 700, Enterprise). */
  ratePerMinute?: number;
  /**
   * Reads of a bulk job's status that still find it queued (no results) before it shows completed
   * (0 unless told): a real job runs later. Its users are upserted when the job is made either way.
   */
  jobQueuedReads?: number;
}

/** A bulk job: its results, and how many more status reads find it queued. */
interface ZendeskJob {
  id: string;
  total: number;
  results: Record<string, unknown>[];
  queuedReads: number;
}

export const MAX_BULK_RECORDS = 100;

export interface ZendeskRecord {
  id: number;
  fields: Record<string, unknown>;
  custom: Record<string, unknown>;
}

const answer = (status: number, error: string, description?: string, details?: Details): EmulatorResponse => ({
  status,
  body: { error, ...(description ? { description } : {}), ...(details ? { details } : {}) },
});
const invalid = (details: Details) => answer(422, 'RecordInvalid', 'Record validation errors', details);
const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : undefined);

export class ZendeskEmulator extends Emulator {
  readonly users: ZendeskRecord[] = [];
  readonly organizations: ZendeskRecord[] = [];
  readonly memberships: { user_id: number; organization_id: number }[] = [];
  readonly fields = { user: new Map<string, ZendeskField>(), organization: new Map<string, ZendeskField>() };
  /** Custom field keys Zendesk ignored because no field has them. */
  readonly ignoredFields: string[] = [];
  /** Bulk jobs by id. */
  readonly jobs = new Map<string, ZendeskJob>();
  private nextId = 1000;
  private readonly rates = new FixedWindows();

  constructor(private readonly options: ZendeskEmulatorOptions) {
    super(options);
    this.clearAccepted();
  }

  protected clearAccepted(): void {
    this.users.length = 0;
    this.organizations.length = 0;
    this.memberships.length = 0;
    this.ignoredFields.length = 0;
    this.jobs.clear();
    this.rates.clear();
    for (const model of ['user', 'organization'] as const) {
      this.fields[model].clear();
      const initial = model === 'user' ? this.options.userFields : this.options.organizationFields;
      for (const field of initial ?? []) this.fields[model].set(field.key, { ...field });
    }
  }

  userBy(key: 'email' | 'external_id', value: string): ZendeskRecord | undefined {
    return this.users.find((u) => lower(u.fields[key]) === value.toLowerCase());
  }

  organizationBy(externalId: string): ZendeskRecord | undefined {
    return this.organizations.find((o) => lower(o.fields['external_id']) === externalId.toLowerCase());
  }

  private authorized(request: EmulatorRequest): boolean {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) return bearer === this.options.apiToken;
    const basic = basicCredentials(request.headers);
    return basic?.username === `${this.options.agentEmail}/token` && basic.password === this.options.apiToken;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    if (!this.authorized(request)) return answer(401, "Couldn't authenticate you");
    const wait = this.rates.hit('account', [{ windowMs: 60_000, limit: this.options.ratePerMinute ?? 700 }]);
    if (wait !== undefined) {
      return { ...answer(429, 'TooManyRequests', 'Rate limit exceeded'), headers: { 'retry-after': String(wait) } };
    }
    const path = request.path.replace(/\.json$/, '');
    const route = `${request.method} ${path}`;
    if (route === 'GET /api/v2/users/search') {
      const externalId = request.query.get('external_id') ?? '';
      const found = this.userBy('external_id', externalId);
      return { status: 200, body: { users: found ? [this.view(found)] : [], count: found ? 1 : 0 } };
    }
    const job = /^GET \/api\/v2\/job_statuses\/([^/]+)$/.exec(route);
    if (job) return this.jobStatus(job[1]!);
    if (route === 'GET /api/v2/user_fields')
      return { status: 200, body: { user_fields: [...this.fields.user.values()] } };
    if (route === 'GET /api/v2/organization_fields') {
      return { status: 200, body: { organization_fields: [...this.fields.organization.values()] } };
    }
    if (request.method !== 'POST') return answer(404, 'InvalidEndpoint', 'Not found');
    const body = parseJson(request.body);
    if (mediaType(request.headers) !== 'application/json' || !isPlainObject(body)) {
      return answer(400, 'Unprocessable Entity', 'The request body is not valid JSON');
    }
    switch (path) {
      case '/api/v2/users/create_or_update':
        return this.upsertUser(body['user']);
      case '/api/v2/users/create_or_update_many':
        return this.upsertUsers(body['users']);
      case '/api/v2/organizations/create_or_update':
        return this.upsertOrganization(body['organization']);
      case '/api/v2/organization_memberships':
        return this.addMembership(body['organization_membership']);
      case '/api/v2/user_fields':
        return this.createField('user', body['user_field']);
      case '/api/v2/organization_fields':
        return this.createField('organization', body['organization_field']);
      default:
        return answer(404, 'InvalidEndpoint', 'Not found');
    }
  }

  private view(record: ZendeskRecord) {
    return { id: record.id, ...record.fields };
  }

  private apply(record: ZendeskRecord, input: Record<string, unknown>, customKey: string, ignored: string[]) {
    for (const [key, value] of Object.entries(input)) {
      if (key === customKey) {
        for (const [k, v] of Object.entries(value as Record<string, unknown>))
          if (!ignored.includes(k)) record.custom[k] = v;
      } else record.fields[key] = value;
    }
    this.ignoredFields.push(...ignored);
  }

  private upsertUser(user: unknown): EmulatorResponse {
    if (!isPlainObject(user)) return answer(400, 'InvalidParams', 'user is required');
    const details = userDetails(user);
    const ignored = fieldValueProblems(user['user_fields'], this.fields.user, 'user_fields', details);
    if (Object.keys(details).length > 0) return invalid(details);
    const byEmail = typeof user['email'] === 'string' ? this.userBy('email', user['email']) : undefined;
    const byExternal =
      typeof user['external_id'] === 'string' ? this.userBy('external_id', user['external_id']) : undefined;
    if (byEmail && byExternal && byEmail !== byExternal) {
      return invalid({
        email: [
          {
            description: `Email: ${String(user['email'])} is already being used by another user`,
            error: 'DuplicateValue',
          },
        ],
      });
    }
    const existing = byExternal ?? byEmail;
    if (!existing && typeof user['name'] !== 'string') {
      return invalid({ name: [{ description: 'Name: cannot be blank', error: 'BlankValue' }] });
    }
    if (
      typeof user['organization_id'] === 'number' &&
      !this.organizations.some((o) => o.id === user['organization_id'])
    ) {
      return invalid({ organization_id: [{ description: 'Organization: does not exist', error: 'InvalidValue' }] });
    }
    const record = existing ?? { id: ++this.nextId, fields: { role: 'end-user' }, custom: {} };
    // Email is written on create only: a different one on update becomes a secondary identity.
    const { email, ...rest } = user;
    this.apply(record, existing ? rest : user, 'user_fields', ignored);
    if (!existing) this.users.push(record);
    if (existing && typeof email === 'string') {
      if (existing.fields['email'] === undefined) existing.fields['email'] = email;
      else if (lower(email) !== lower(existing.fields['email'])) {
        const identities = (existing.fields['identities'] ??= []) as unknown[];
        identities.push({ type: 'email', value: email });
      }
    }
    const url = `https://emulated.zendesk.com/api/v2/users/${record.id}.json`;
    return {
      status: existing ? 200 : 201,
      ...(existing ? {} : { headers: { location: url } }),
      body: { user: { ...this.view(record), user_fields: record.custom, url } },
    };
  }

  /** The users one by one, as the single call would take each; a job that lists the outcomes. */
  private upsertUsers(users: unknown): EmulatorResponse {
    if (!Array.isArray(users) || users.length === 0) return answer(400, 'InvalidParams', 'users is required');
    if (users.length > MAX_BULK_RECORDS) {
      // Zendesk's exact wording for too many records is not documented; this is the emulator's.
      return answer(400, 'TooManyValues', `users: at most ${MAX_BULK_RECORDS} per request`);
    }
    const results = users.map((user, index) => {
      const upserted = this.upsertUser(user);
      const body = upserted.body as { user?: { id: number; email?: unknown }; error?: string; details?: Details };
      if (body.user) {
        return {
          index,
          id: body.user.id,
          status: upserted.status === 201 ? 'Created' : 'Updated',
          email: body.user.email,
        };
      }
      const details = Object.values(body.details ?? {})
        .flat()
        .map((d) => d.description)
        .join('; ');
      return { index, status: 'Failed', error: body.error ?? 'Failed', details: details || body.error };
    });
    const id = `J${++this.nextId}`;
    const job: ZendeskJob = { id, total: users.length, results, queuedReads: this.options.jobQueuedReads ?? 0 };
    this.jobs.set(id, job);
    return { status: 200, body: { job_status: this.jobView(job, 'queued') } };
  }

  private jobStatus(id: string): EmulatorResponse {
    const job = this.jobs.get(id);
    if (!job) return answer(404, 'RecordNotFound', 'Not found');
    if (job.queuedReads > 0) {
      job.queuedReads--;
      return { status: 200, body: { job_status: this.jobView(job, 'queued') } };
    }
    return { status: 200, body: { job_status: this.jobView(job, 'completed') } };
  }

  private jobView(job: ZendeskJob, status: 'queued' | 'completed') {
    const done = status === 'completed';
    return {
      id: job.id,
      url: `https://emulated.zendesk.com/api/v2/job_statuses/${job.id}.json`,
      status,
      total: job.total,
      progress: done ? job.total : 0,
      message: done ? 'Completed at ' + new Date(this.now()).toISOString() : null,
      results: done ? job.results : null,
    };
  }

  private upsertOrganization(organization: unknown): EmulatorResponse {
    if (!isPlainObject(organization)) return answer(400, 'InvalidParams', 'organization is required');
    const details = organizationDetails(organization);
    const ignored = fieldValueProblems(
      organization['organization_fields'],
      this.fields.organization,
      'organization_fields',
      details,
    );
    if (Object.keys(details).length > 0) return invalid(details);
    const existing =
      (typeof organization['id'] === 'number'
        ? this.organizations.find((o) => o.id === organization['id'])
        : undefined) ??
      (typeof organization['external_id'] === 'string' ? this.organizationBy(organization['external_id']) : undefined);
    if (!existing) {
      if (typeof organization['name'] !== 'string' || organization['name'] === '') {
        return invalid({ name: [{ description: 'Name: cannot be blank', error: 'BlankValue' }] });
      }
      if (this.organizations.some((o) => lower(o.fields['name']) === lower(organization['name']))) {
        return invalid({ name: [{ description: 'Name: has already been taken', error: 'DuplicateValue' }] });
      }
    }
    const record = existing ?? { id: ++this.nextId, fields: {}, custom: {} };
    this.apply(record, organization, 'organization_fields', ignored);
    if (!existing) this.organizations.push(record);
    return {
      status: existing ? 200 : 201,
      body: { organization: { ...this.view(record), organization_fields: record.custom } },
    };
  }

  private addMembership(membership: unknown): EmulatorResponse {
    if (!isPlainObject(membership)) return answer(400, 'InvalidParams', 'organization_membership is required');
    const { user_id: userId, organization_id: organizationId } = membership;
    if (!this.users.some((u) => u.id === userId) || !this.organizations.some((o) => o.id === organizationId)) {
      return answer(404, 'RecordNotFound', 'Not found');
    }
    if (this.memberships.some((m) => m.user_id === userId && m.organization_id === organizationId)) {
      return invalid({
        user_id: [{ description: 'User is already a member of this organization', error: 'DuplicateValue' }],
      });
    }
    const created = { user_id: userId as number, organization_id: organizationId as number };
    this.memberships.push(created);
    return { status: 201, body: { organization_membership: { id: ++this.nextId, ...created } } };
  }

  private createField(model: 'user' | 'organization', field: unknown): EmulatorResponse {
    if (!isPlainObject(field)) return answer(400, 'InvalidParams', `${model}_field is required`);
    const { key, type, title } = field;
    const details: Details = {};
    if (typeof key !== 'string' || !/^[A-Za-z0-9_]+$/.test(key)) {
      details['key'] = [{ description: 'Key: letters, numbers and underscores only', error: 'InvalidValue' }];
    } else if (this.fields[model].has(key)) {
      details['key'] = [{ description: 'Key: has already been taken', error: 'DuplicateValue' }];
    }
    if (typeof type !== 'string' || !FIELD_TYPES.includes(type)) {
      details['type'] = [{ description: 'Type: is not valid', error: 'InvalidValue' }];
    }
    if (typeof title !== 'string' || title === '')
      details['title'] = [{ description: 'Title: cannot be blank', error: 'BlankValue' }];
    if (Object.keys(details).length > 0) return invalid(details);
    const created = { key: key as string, type: type as ZendeskField['type'], title: title as string, active: true };
    this.fields[model].set(created.key, created);
    return { status: 201, body: { [`${model}_field`]: { id: ++this.nextId, ...created } } };
  }
}

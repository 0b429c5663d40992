import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { contactProblems, type CustomFieldDefinition, type SendgridError } from './sendgrid-validation';

// SendGrid Marketing Campaigns: Bearer API key; `PUT /v3/marketing/contacts` (1–30,000 contacts,
// ≤ 6 MB) validated whole (one bad contact refuses the request, 400 `errors[{field, message}]`),
// else 202 `{job_id}` and the job applied at once: a contact sent with some but not all of the
// identifiers it already has is counted as an errored item of the job, not an HTTP error. Custom
// field definitions are listed and created under `/v3/marketing/field_definitions`; the job's
// status under `/v3/marketing/contacts/imports/{id}`.

export interface SendgridEmulatorOptions extends EmulatorOptions {
  apiKey: string;
  /** Custom fields the account already has (ids are made up as `e<n>_<T|N|D>` for new ones). */
  customFields?: CustomFieldDefinition[];
  /** Marketing lists that exist (any list id is accepted when absent). */
  listIds?: string[];
  /** Custom fields an account may have (SendGrid's: 500). */
  maxCustomFields?: number;
}

export interface SendgridContact {
  id: string;
  email?: string;
  phone_number_id?: string;
  external_id?: string;
  anonymous_id?: string;
  fields: Record<string, unknown>;
  custom_fields: Record<string, unknown>;
  list_ids: string[];
}

export interface SendgridJob {
  id: string;
  status: 'completed';
  job_type: 'upsert';
  results: { requested_count: number; created_count: number; updated_count: number; errored_count: number };
  errors: { contact: number; message: string }[];
}

const MAX_BODY_BYTES = 6 * 1024 * 1024;
const MAX_CONTACTS = 30_000;
const IDENTIFIERS = ['email', 'phone_number_id', 'external_id', 'anonymous_id'] as const;
const FIELD_TYPES = ['Text', 'Number', 'Date'];

const errors = (status: number, list: SendgridError[]): EmulatorResponse => ({ status, body: { errors: list } });
const error = (status: number, message: string, field: string | null = null) => errors(status, [{ field, message }]);

export class SendgridEmulator extends Emulator {
  /** Contacts by id. */
  readonly contacts = new Map<string, SendgridContact>();
  readonly jobs = new Map<string, SendgridJob>();
  readonly fieldDefinitions = new Map<string, CustomFieldDefinition>();
  private nextId = 0;

  constructor(private readonly options: SendgridEmulatorOptions) {
    super(options);
    this.clearAccepted();
  }

  protected clearAccepted(): void {
    this.contacts.clear();
    this.jobs.clear();
    this.fieldDefinitions.clear();
    for (const field of this.options.customFields ?? []) this.fieldDefinitions.set(field.id, field);
    this.nextId = this.fieldDefinitions.size;
  }

  /** The contact with this identifier value (`email` is compared lower-cased). */
  contactBy(key: (typeof IDENTIFIERS)[number], value: string): SendgridContact | undefined {
    const wanted = key === 'email' ? value.toLowerCase() : value;
    return [...this.contacts.values()].find((c) => c[key] === wanted);
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    if (request.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      return error(401, 'authorization required');
    }
    if (request.path === '/v3/marketing/contacts') {
      if (request.method !== 'PUT') return error(405, 'method not allowed');
      return this.upsert(request);
    }
    if (request.path === '/v3/marketing/field_definitions') {
      if (request.method === 'GET') return { status: 200, body: this.definitions() };
      if (request.method === 'POST') return this.createField(request);
      return error(405, 'method not allowed');
    }
    const job = /^\/v3\/marketing\/contacts\/imports\/([^/]+)$/.exec(request.path)?.[1];
    if (job !== undefined && request.method === 'GET') {
      const found = this.jobs.get(job);
      return found ? { status: 200, body: found } : error(404, 'job not found');
    }
    return error(404, 'resource not found');
  }

  private definitions() {
    return {
      custom_fields: [...this.fieldDefinitions.values()],
      reserved_fields: IDENTIFIERS.map((name) => ({ name, field_type: 'Text' })),
    };
  }

  private createField(request: EmulatorRequest): EmulatorResponse {
    const body = parseJson(request.body);
    if (mediaType(request.headers) !== 'application/json' || !isPlainObject(body)) {
      return error(400, 'invalid JSON body');
    }
    const { name, field_type: type } = body;
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_ ]{0,99}$/.test(name)) {
      return error(400, 'name must start with a letter and hold letters, digits, spaces and _ only', 'name');
    }
    if (typeof type !== 'string' || !FIELD_TYPES.includes(type)) {
      return error(400, 'field_type must be Text, Number or Date', 'field_type');
    }
    const taken = [...this.fieldDefinitions.values()].some((f) => f.name.toLowerCase() === name.toLowerCase());
    if (taken || IDENTIFIERS.includes(name.toLowerCase() as (typeof IDENTIFIERS)[number])) {
      return error(400, `a field named ${name} already exists`, 'name');
    }
    if (this.fieldDefinitions.size >= (this.options.maxCustomFields ?? 500)) {
      return error(400, 'the maximum number of custom fields has been reached', 'name');
    }
    const field: CustomFieldDefinition = {
      id: `e${++this.nextId}_${type[0]}`,
      name,
      field_type: type as CustomFieldDefinition['field_type'],
    };
    this.fieldDefinitions.set(field.id, field);
    return { status: 200, body: field };
  }

  private upsert(request: EmulatorRequest): EmulatorResponse {
    if (request.bytes > MAX_BODY_BYTES) return error(413, 'request body larger than 6 MB');
    if (mediaType(request.headers) !== 'application/json') return error(415, 'content type must be application/json');
    const body = parseJson(request.body);
    if (!isPlainObject(body)) return error(400, 'invalid JSON body');
    const { contacts, list_ids: listIds = [] } = body;
    if (!Array.isArray(contacts) || contacts.length === 0 || contacts.length > MAX_CONTACTS) {
      return error(400, `contacts must hold 1 to ${MAX_CONTACTS} contacts`, 'contacts');
    }
    if (!Array.isArray(listIds) || !listIds.every((id) => typeof id === 'string')) {
      return error(400, 'list_ids must be a list of ids', 'list_ids');
    }
    const unknownList = listIds.find((id) => this.options.listIds && !this.options.listIds.includes(id as string));
    if (unknownList !== undefined) return error(404, `list ${String(unknownList)} does not exist`, 'list_ids');
    const problems = contacts.flatMap((contact, i) => contactProblems(contact, i, this.fieldDefinitions));
    if (problems.length > 0) return errors(400, problems);
    const job: SendgridJob = {
      id: `job-${this.jobs.size + 1}`,
      status: 'completed',
      job_type: 'upsert',
      results: { requested_count: contacts.length, created_count: 0, updated_count: 0, errored_count: 0 },
      errors: [],
    };
    contacts.forEach((contact: Record<string, unknown>, i) => this.apply(contact, i, listIds as string[], job));
    this.jobs.set(job.id, job);
    return { status: 202, body: { job_id: job.id } };
  }

  /** Applies one contact of a job: creates it, updates it, or records why SendGrid would not. */
  private apply(input: Record<string, unknown>, index: number, listIds: string[], job: SendgridJob): void {
    const sent = IDENTIFIERS.filter((key) => typeof input[key] === 'string');
    const value = (key: (typeof IDENTIFIERS)[number]) =>
      key === 'email' ? (input[key] as string).toLowerCase() : (input[key] as string);
    const matches = new Set(sent.map((key) => this.contactBy(key, value(key))).filter((c) => c !== undefined));
    if (matches.size > 1) {
      job.results.errored_count++;
      job.errors.push({ contact: index, message: 'identifiers match more than one contact' });
      return;
    }
    const [existing] = [...matches];
    if (existing) {
      const missing = IDENTIFIERS.filter(
        (key) => existing[key] !== undefined && (!sent.includes(key) || existing[key] !== value(key)),
      );
      if (missing.length > 0) {
        job.results.errored_count++;
        job.errors.push({
          contact: index,
          message: `every identifier of the contact must be sent: ${missing.join(', ')}`,
        });
        return;
      }
    }
    const contact: SendgridContact = existing ?? {
      id: `contact-${this.contacts.size + 1}`,
      fields: {},
      custom_fields: {},
      list_ids: [],
    };
    for (const key of sent) contact[key] = value(key);
    for (const [key, v] of Object.entries(input)) {
      if (key === 'custom_fields') Object.assign(contact.custom_fields, v);
      else if (!(IDENTIFIERS as readonly string[]).includes(key)) contact.fields[key] = v;
    }
    for (const id of listIds) if (!contact.list_ids.includes(id)) contact.list_ids.push(id);
    if (existing) job.results.updated_count++;
    else {
      job.results.created_count++;
      this.contacts.set(contact.id, contact);
    }
  }
}

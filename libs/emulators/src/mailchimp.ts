import { createHash } from 'node:crypto';
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
import { eventProblems, memberProblems, type MailchimpFieldError, type MergeField } from './mailchimp-validation';

// Mailchimp Marketing API 3.0 under `/3.0`: Basic auth (any user name, the key as password) or
// Bearer; the key's data-center suffix must be this server's (`dc`). Members live at
// `/lists/{id}/members/{subscriber_hash}` where the hash is the MD5 of the lower-cased email (or
// the email itself): PUT upserts (`status_if_new` needed for a new member; an unsubscribed member
// cannot be set back to subscribed), `/tags` and `/events` answer 204. Merge fields are listed and
// created under `/lists/{id}/merge-fields`. `POST /lists/{id}` batch-subscribes up to 500
// members (`update_existing` to update those already there, status included), answering 200 with
// an `errors` entry per member it refused. More than 10 requests at once → 429. Errors are
// problem+json.

export interface MailchimpEmulatorOptions extends EmulatorOptions {
  apiKey: string;
  /** Audiences that exist (default: one, `list-1`). */
  listIds?: string[];
  /** The audiences' merge fields (default: Mailchimp's FNAME, LNAME, ADDRESS, PHONE, BIRTHDAY). */
  mergeFields?: MergeField[];
  /** Simultaneous connections per key before 429 (Mailchimp's: 10). */
  maxConnections?: number;
}

export interface MailchimpMember {
  email_address: string;
  status: string;
  merge_fields: Record<string, unknown>;
  tags: string[];
  events: Record<string, unknown>[];
}

const DEFAULT_FIELDS: MergeField[] = [
  { tag: 'FNAME', name: 'First Name', type: 'text' },
  { tag: 'LNAME', name: 'Last Name', type: 'text' },
  { tag: 'ADDRESS', name: 'Address', type: 'address' },
  { tag: 'PHONE', name: 'Phone Number', type: 'phone' },
  { tag: 'BIRTHDAY', name: 'Birthday', type: 'birthday' },
];
const TYPES = ['text', 'number', 'address', 'phone', 'date', 'birthday', 'url', 'imageurl', 'zip'];
/** Members one batch subscribe takes. */
const MAX_BATCH_MEMBERS = 500;

const problem = (status: number, title: string, detail: string, errors?: MailchimpFieldError[]): EmulatorResponse => ({
  status,
  headers: { 'content-type': 'application/problem+json; charset=utf-8' },
  body: {
    type: 'https://mailchimp.com/developer/marketing/docs/errors/',
    title,
    status,
    detail,
    instance: `00000000-0000-4000-8000-${String(status).padStart(12, '0')}`,
    ...(errors ? { errors } : {}),
  },
});

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export class MailchimpEmulator extends Emulator {
  /** Members by list id and subscriber hash (`<list>/<hash>`). */
  readonly members = new Map<string, MailchimpMember>();
  /** Merge fields by list id, then tag. */
  readonly mergeFields = new Map<string, Map<string, MergeField>>();
  private readonly dc: string;

  constructor(private readonly options: MailchimpEmulatorOptions) {
    super(options);
    this.dc = options.apiKey.slice(options.apiKey.lastIndexOf('-') + 1);
    this.clearAccepted();
  }

  protected clearAccepted(): void {
    this.members.clear();
    this.mergeFields.clear();
    for (const list of this.options.listIds ?? ['list-1']) {
      this.mergeFields.set(list, new Map((this.options.mergeFields ?? DEFAULT_FIELDS).map((f) => [f.tag, { ...f }])));
    }
  }

  /** The member of this email in the list. */
  member(list: string, email: string): MailchimpMember | undefined {
    return this.members.get(`${list}/${md5(email.toLowerCase())}`);
  }

  private authorized(request: EmulatorRequest): boolean {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const key = bearer ?? basicCredentials(request.headers)?.password;
    return key === this.options.apiKey && key.endsWith(`-${this.dc}`);
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    // Requests received and not yet answered (this one included): Mailchimp's connection cap.
    const inFlight = this.requests.filter((r) => r.answeredAt === undefined && !r.injected).length;
    if (inFlight > (this.options.maxConnections ?? 10)) {
      return problem(429, 'Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.');
    }
    if (!this.authorized(request)) {
      return problem(
        401,
        'API Key Invalid',
        'Your API key may be invalid, or you’ve attempted to access the wrong datacenter.',
      );
    }
    const match = /^\/3\.0\/lists\/([^/]+)(?:\/(members|merge-fields)(?:\/([^/]+)(?:\/(tags|events))?)?)?$/.exec(
      request.path,
    );
    const [, list, kind, hash, sub] = match ?? [];
    if (!list) return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
    const fields = this.mergeFields.get(decodeURIComponent(list));
    if (!fields) return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
    const body = request.method === 'GET' ? {} : parseJson(request.body);
    if (request.method !== 'GET' && (mediaType(request.headers) !== 'application/json' || !isPlainObject(body))) {
      return problem(400, 'JSON Schema Validation Failed', 'The request body is not valid JSON.');
    }
    const json = body as Record<string, unknown>;
    if (!kind && request.method === 'POST') return this.batchSubscribe(decodeURIComponent(list), json, fields, request);
    if (!kind) return problem(405, 'Method Not Allowed', `${request.method} is not allowed here.`);
    if (kind === 'merge-fields' && !hash) {
      if (request.method === 'GET')
        return { status: 200, body: { merge_fields: [...fields.values()], total_items: fields.size } };
      if (request.method === 'POST') return this.createMergeField(fields, json);
    }
    if (kind === 'members' && hash) {
      const key = `${decodeURIComponent(list)}/${hash.includes('@') ? md5(decodeURIComponent(hash).toLowerCase()) : hash}`;
      if (!sub && request.method === 'PUT') return this.upsert(key, hash, json, fields, request);
      if (!sub && request.method === 'GET') {
        const member = this.members.get(key);
        return member
          ? { status: 200, body: member }
          : problem(404, 'Resource Not Found', 'The requested resource could not be found.');
      }
      if (sub && request.method === 'POST') return this.memberAction(key, sub, json);
    }
    return problem(405, 'Method Not Allowed', `${request.method} is not allowed here.`);
  }

  private createMergeField(fields: Map<string, MergeField>, body: Record<string, unknown>): EmulatorResponse {
    const { tag, name, type } = body;
    if (typeof tag !== 'string' || !/^[A-Z0-9_]{1,10}$/.test(tag)) {
      return problem(400, 'Invalid Resource', 'The tag must be at most 10 upper-case letters, digits or _.', [
        { field: 'tag', message: 'invalid tag' },
      ]);
    }
    if (typeof name !== 'string' || name === '' || typeof type !== 'string' || !TYPES.includes(type)) {
      return problem(400, 'Invalid Resource', 'A merge field needs a name and a valid type.');
    }
    if (fields.has(tag)) return problem(400, 'Invalid Resource', `A Merge Field with the tag "${tag}" already exists.`);
    const field = { tag, name, type: type as MergeField['type'] };
    fields.set(tag, field);
    return { status: 200, body: { merge_id: fields.size, ...field } };
  }

  private upsert(
    key: string,
    hash: string,
    body: Record<string, unknown>,
    fields: ReadonlyMap<string, MergeField>,
    request: EmulatorRequest,
  ): EmulatorResponse {
    const errors = memberProblems(body, fields, request.query.get('skip_merge_validation') === 'true');
    if (errors.length > 0)
      return problem(400, 'Invalid Resource', 'The resource submitted could not be validated.', errors);
    const email = body['email_address'] as string;
    if (!hash.includes('@') && md5(email.toLowerCase()) !== hash) {
      return problem(400, 'Invalid Resource', 'The subscriber hash does not match the email address.');
    }
    const existing = this.members.get(key);
    const status = body['status'] as string | undefined;
    if (!existing && !status && !body['status_if_new']) {
      return problem(400, 'Invalid Resource', 'The resource submitted could not be validated.', [
        { field: 'status_if_new', message: 'status_if_new is required for a new member' },
      ]);
    }
    if (existing?.status === 'unsubscribed' && status === 'subscribed') {
      return problem(
        400,
        'Member In Compliance State',
        `${email} is in a compliance state and cannot be subscribed; use pending.`,
      );
    }
    const member = existing ?? {
      email_address: email,
      status: (status ?? body['status_if_new']) as string,
      merge_fields: {},
      tags: [],
      events: [],
    };
    if (existing && status) member.status = status;
    if (isPlainObject(body['merge_fields'])) Object.assign(member.merge_fields, body['merge_fields']);
    this.members.set(key, member);
    return { status: 200, body: { id: key.split('/')[1], ...member } };
  }

  /** POST /lists/{id}: up to 500 members; each one refused is an `errors` entry, the others saved. */
  private batchSubscribe(
    list: string,
    body: Record<string, unknown>,
    fields: ReadonlyMap<string, MergeField>,
    request: EmulatorRequest,
  ): EmulatorResponse {
    const { members, update_existing: updateExisting, sync_tags: syncTags } = body;
    if (!Array.isArray(members) || members.length === 0 || members.length > MAX_BATCH_MEMBERS) {
      return problem(400, 'Invalid Resource', `members must be a list of 1 to ${MAX_BATCH_MEMBERS} members.`, [
        { field: 'members', message: `1 to ${MAX_BATCH_MEMBERS} members` },
      ]);
    }
    for (const [name, value] of [
      ['update_existing', updateExisting],
      ['sync_tags', syncTags],
    ] as const) {
      if (value !== undefined && typeof value !== 'boolean') {
        return problem(400, 'Invalid Resource', `${name} must be a boolean.`, [{ field: name, message: 'boolean' }]);
      }
    }
    const skipMerge = request.query.get('skip_merge_validation') === 'true';
    const skipDuplicates = request.query.get('skip_duplicate_check') === 'true';
    const created: unknown[] = [];
    const updated: unknown[] = [];
    const errors: unknown[] = [];
    const seen = new Set<string>();
    const refuse = (email: unknown, error: string, code: string, field = '', fieldMessage = '') =>
      errors.push({ email_address: email, error, error_code: code, field, field_message: fieldMessage });
    for (const raw of members) {
      const member = isPlainObject(raw) ? raw : {};
      const email = member['email_address'];
      const found = memberProblems(member, fields, skipMerge);
      if (member['status'] === undefined) found.push({ field: 'status', message: 'status is required' });
      if (
        member['tags'] !== undefined &&
        !(Array.isArray(member['tags']) && member['tags'].every((t) => typeof t === 'string'))
      ) {
        found.push({ field: 'tags', message: 'tags must be a list of names' });
      }
      if (found.length > 0) {
        const first = found[0] as MailchimpFieldError;
        refuse(email, `${String(email)} looks invalid: ${first.message}`, 'ERROR_GENERIC', first.field, first.message);
        continue;
      }
      const address = email as string;
      const key = `${list}/${md5(address.toLowerCase())}`;
      if (seen.has(key)) {
        if (!skipDuplicates) refuse(address, `${address} appears more than once in this batch`, 'ERROR_DUPLICATE');
        continue;
      }
      seen.add(key);
      const existing = this.members.get(key);
      const status = member['status'] as string;
      if (existing && updateExisting !== true) {
        refuse(
          address,
          `${address} is already a list member. Use PUT to insert or update list members.`,
          'ERROR_CONTACT_EXISTS',
        );
        continue;
      }
      if (existing && ['unsubscribed', 'cleaned'].includes(existing.status) && status === 'subscribed') {
        refuse(address, `${address} is in a compliance state and cannot be subscribed; use pending.`, 'ERROR_GENERIC');
        continue;
      }
      const saved = existing ?? { email_address: address, status, merge_fields: {}, tags: [], events: [] };
      saved.status = status;
      if (isPlainObject(member['merge_fields'])) Object.assign(saved.merge_fields, member['merge_fields']);
      const tags = (member['tags'] as string[] | undefined) ?? [];
      saved.tags = syncTags === true ? [...tags] : [...new Set([...saved.tags, ...tags])];
      this.members.set(key, saved);
      (existing ? updated : created).push({ id: key.split('/')[1], ...saved });
    }
    return {
      status: 200,
      body: {
        new_members: created,
        updated_members: updated,
        errors,
        total_created: created.length,
        total_updated: updated.length,
        error_count: errors.length,
      },
    };
  }

  private memberAction(key: string, sub: string, body: Record<string, unknown>): EmulatorResponse {
    const member = this.members.get(key);
    if (!member) return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
    if (sub === 'events') {
      const errors = eventProblems(body);
      if (errors.length > 0)
        return problem(400, 'Invalid Resource', 'The resource submitted could not be validated.', errors);
      member.events.push(body);
      return { status: 204 };
    }
    const tags = body['tags'];
    if (
      !Array.isArray(tags) ||
      !tags.every(
        (t) =>
          isPlainObject(t) && typeof t['name'] === 'string' && ['active', 'inactive'].includes(String(t['status'])),
      )
    ) {
      return problem(400, 'Invalid Resource', 'tags must be a list of {name, status: active|inactive}.');
    }
    for (const tag of tags as { name: string; status: string }[]) {
      member.tags = member.tags.filter((t) => t !== tag.name);
      if (tag.status === 'active') member.tags.push(tag.name);
    }
    return { status: 204 };
  }
}

import { randomBytes } from 'node:crypto';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { OAuthProvider, type OAuthProviderOptions } from './oauth-provider';
import {
  isSalesforceObject,
  parseFindQuery,
  recordProblems,
  type SalesforceError,
  type SalesforceObject,
} from './salesforce-validation';

// Salesforce's REST API for Leads, Contacts and Accounts (SOQL lookup, create, update by Id,
// upsert by external id, and the sObject Collections upsert of up to 200 records by external id), with its OAuth 2.0 web-server flow on the same port standing in for
// login.salesforce.com: the token answer's `instance_url` is this emulator. Every error is
// Salesforce's JSON array `[{message, errorCode, fields}]`; an expired or unknown access token is
// 401 INVALID_SESSION_ID; the org's daily API allocation is counted (`Sforce-Limit-Info`).

export interface SalesforceEmulatorOptions extends EmulatorOptions {
  /** The connected app's client (the authorization server is always served). */
  oauth: Omit<OAuthProviderOptions, 'authorizePath' | 'tokenPath' | 'tokenAnswerFields'>;
  /** Custom fields (`…__c`) of each object. */
  customFields?: Partial<Record<SalesforceObject, readonly string[]>>;
  /** Fields flagged "External ID" (custom fields, listed in `customFields` too). */
  externalIdFields?: Partial<Record<SalesforceObject, readonly string[]>>;
  /** API calls the org may make in its rolling 24 hours (100,000 unless told). */
  dailyApiLimit?: number;
  /** Lowest and highest REST API versions served (31.0 to 66.0 unless told). */
  versions?: { min: number; max: number };
}

export interface SalesforceRecord {
  Id: string;
  fields: Record<string, unknown>;
}

const ID_PREFIX: Record<SalesforceObject, string> = { Lead: '00Q', Contact: '003', Account: '001' };

export class SalesforceEmulator extends Emulator {
  readonly oauth: OAuthProvider;
  /** Records of each object by Id. */
  readonly records: Record<SalesforceObject, Map<string, SalesforceRecord>> = {
    Lead: new Map(),
    Contact: new Map(),
    Account: new Map(),
  };
  apiCalls = 0;

  constructor(private readonly options: SalesforceEmulatorOptions) {
    super(options);
    this.oauth = new OAuthProvider(
      {
        ...options.oauth,
        authorizePath: '/services/oauth2/authorize',
        tokenPath: '/services/oauth2/token',
        tokenAnswerFields: () => ({
          instance_url: this.baseUrl,
          id: `${this.baseUrl}/id/00D000000000001AAA/005000000000001AAA`,
          issued_at: String(this.now()),
        }),
      },
      this.now,
    );
  }

  /** A record put straight into the org (as if made in Salesforce's interface). */
  addRecord(object: SalesforceObject, fields: Record<string, unknown>): SalesforceRecord {
    const record = { Id: this.newId(object), fields: { ...fields } };
    this.records[object].set(record.Id, record);
    return record;
  }

  /** The records of an object whose field holds the value (case-insensitively, as SOQL compares text). */
  find(object: SalesforceObject, field: string, value: string): SalesforceRecord[] {
    return [...this.records[object].values()].filter(
      (r) => typeof r.fields[field] === 'string' && (r.fields[field] as string).toLowerCase() === value.toLowerCase(),
    );
  }

  protected clearAccepted(): void {
    for (const store of Object.values(this.records)) store.clear();
    this.apiCalls = 0;
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const oauth = this.oauth.handle(request);
    if (oauth) return oauth;
    const match = /^\/services\/data\/v(\d+\.\d)\/(.*)$/.exec(request.path);
    const version = match ? Number(match[1]) : NaN;
    const { min, max } = this.options.versions ?? { min: 31, max: 66 };
    if (!match || !(version >= min && version <= max)) {
      return errors(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist', fields: [] }]);
    }
    const bearer = this.oauth.checkBearer(request.headers.authorization);
    if (bearer !== 'valid') {
      return errors(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID', fields: [] }]);
    }
    const limit = this.options.dailyApiLimit ?? 100_000;
    if (this.apiCalls >= limit) {
      return errors(403, [
        { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED', fields: [] },
      ]);
    }
    this.apiCalls++;
    const answer = this.route(request, match[2]!.split('/').map(decodeURIComponent));
    return { ...answer, headers: { ...answer.headers, 'sforce-limit-info': `api-usage=${this.apiCalls}/${limit}` } };
  }

  private route(request: EmulatorRequest, parts: string[]): EmulatorResponse {
    const [resource, object, second, third] = parts;
    if (resource === 'query' && parts.length === 1 && request.method === 'GET') return this.query(request);
    if (resource === 'composite' && object === 'sobjects' && parts.length === 4 && isSalesforceObject(second ?? '')) {
      return this.collectionUpsert(request, second as SalesforceObject, third!);
    }
    if (resource !== 'sobjects' || object === undefined || !isSalesforceObject(object)) {
      return errors(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist', fields: [] }]);
    }
    if (request.method !== 'POST' && request.method !== 'PATCH') {
      return errors(405, [
        { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${request.method}' not allowed`, fields: [] },
      ]);
    }
    if (mediaType(request.headers) !== 'application/json') {
      return errors(415, [
        { errorCode: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json', fields: [] },
      ]);
    }
    const body = parseJson(request.body);
    if (body === undefined) {
      return errors(400, [{ errorCode: 'JSON_PARSER_ERROR', message: 'Unexpected character in the body', fields: [] }]);
    }
    if (request.method === 'POST' && parts.length === 2) return this.create(object, body);
    if (request.method === 'PATCH' && parts.length === 3) return this.update(object, second!, body);
    if (request.method === 'PATCH' && parts.length === 4) return this.upsert(object, second!, third!, body);
    return errors(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist', fields: [] }]);
  }

  private query(request: EmulatorRequest): EmulatorResponse {
    const soql = request.query.get('q') ?? '';
    const parsed = parseFindQuery(soql);
    if (!parsed || !isSalesforceObject(parsed.object)) {
      return errors(400, [{ errorCode: 'MALFORMED_QUERY', message: `unexpected token in: ${soql}`, fields: [] }]);
    }
    if (parsed.field !== 'Id' && !this.knows(parsed.object, parsed.field)) {
      return errors(400, [
        {
          errorCode: 'INVALID_FIELD',
          message: `No such column '${parsed.field}' on entity '${parsed.object}'`,
          fields: [],
        },
      ]);
    }
    const found =
      parsed.field === 'Id'
        ? [this.records[parsed.object].get(parsed.value)].filter((r): r is SalesforceRecord => r !== undefined)
        : this.find(parsed.object, parsed.field, parsed.value);
    const records = found.slice(0, parsed.limit ?? found.length).map((r) => ({
      attributes: { type: parsed.object, url: `/services/data/v62.0/sobjects/${parsed.object}/${r.Id}` },
      Id: r.Id,
    }));
    return { status: 200, body: { totalSize: records.length, done: true, records } };
  }

  private create(object: SalesforceObject, body: unknown): EmulatorResponse {
    const problems = recordProblems(object, body, this.customFields(object), true);
    if (problems.length > 0) return errors(400, problems);
    const record = this.addRecord(object, body as Record<string, unknown>);
    return { status: 201, body: { id: record.Id, success: true, errors: [] } };
  }

  private update(object: SalesforceObject, id: string, body: unknown): EmulatorResponse {
    const record = this.records[object].get(id);
    if (!record) {
      return errors(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist', fields: [] }]);
    }
    const problems = recordProblems(object, body, this.customFields(object), false);
    if (problems.length > 0) return errors(400, problems);
    this.write(record, body as Record<string, unknown>);
    return { status: 204 };
  }

  /** PATCH /sobjects/{object}/{field}/{value}: 201 created, 200 updated, 300 when several match. */
  private upsert(object: SalesforceObject, field: string, value: string, body: unknown): EmulatorResponse {
    if (!(this.options.externalIdFields?.[object] ?? []).includes(field)) {
      return errors(404, [
        {
          errorCode: 'NOT_FOUND',
          message: `Provided external ID field does not exist or is not accessible: ${field}`,
          fields: [],
        },
      ]);
    }
    if (typeof body === 'object' && body !== null && field in body) {
      return errors(400, [
        {
          errorCode: 'INVALID_FIELD',
          message: `The external ID field ${field} must not be set in the request body`,
          fields: [field],
        },
      ]);
    }
    const matches = this.find(object, field, value);
    if (matches.length > 1) {
      return { status: 300, body: matches.map((r) => `/services/data/v62.0/sobjects/${object}/${r.Id}`) };
    }
    const existing = matches[0];
    const problems = recordProblems(object, body, this.customFields(object), !existing, existing?.fields);
    if (problems.length > 0) return errors(400, problems);
    if (existing) {
      this.write(existing, body as Record<string, unknown>);
      return { status: 200, body: { id: existing.Id, success: true, errors: [], created: false } };
    }
    const record = this.addRecord(object, { ...(body as Record<string, unknown>), [field]: value });
    return { status: 201, body: { id: record.Id, success: true, errors: [], created: true } };
  }

  /**
   * PATCH /composite/sobjects/{object}/{field}: 1–200 records of that type, each with its
   * `attributes.type` and the external id value in the field; 400 for a request that is not well
   * formed, else 200 with one UpsertResult per record, in order. With `allOrNone` false each record
   * stands alone; with true one refusal rolls every record back.
   */
  private collectionUpsert(request: EmulatorRequest, object: SalesforceObject, field: string): EmulatorResponse {
    const unsupported = this.collectionRequestProblem(request, object, field);
    if (unsupported) return unsupported;
    const body = parseJson(request.body) as { allOrNone?: unknown; records: Record<string, unknown>[] };
    const values = body.records.map((r) => String(r[field] ?? '').toLowerCase());
    const results = body.records.map((record, index) => {
      const value = record[field];
      if (typeof value !== 'string' || value === '') {
        return itemError('MISSING_ARGUMENT', `${field} not specified`, [field]);
      }
      // The emulator's reading of a value given twice in one request: Salesforce refuses both.
      if (values.indexOf(value.toLowerCase()) !== values.lastIndexOf(value.toLowerCase())) {
        return itemError('DUPLICATE_VALUE', `Duplicate external id specified: ${value}`, [field]);
      }
      const matches = this.find(object, field, value);
      if (matches.length > 1) {
        return itemError('DUPLICATE_EXTERNAL_ID', `${field}: more than one record found for external id field`, [
          field,
        ]);
      }
      const { attributes: _type, ...fields } = record;
      const existing = matches[0];
      const problems = recordProblems(object, fields, this.customFields(object), !existing, existing?.fields);
      if (problems.length > 0) {
        return {
          success: false,
          errors: problems.map((p) => ({ statusCode: p.errorCode, message: p.message, fields: p.fields })),
        };
      }
      return { index, existing, fields };
    });
    const refused = results.some((r) => 'success' in r);
    if (body.allOrNone === true && refused) {
      return {
        status: 200,
        body: results.map((r) =>
          'success' in r
            ? r
            : itemError(
                'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                'Record rolled back because not all records were valid and the request was using AllOrNone header',
                [],
              ),
        ),
      };
    }
    return {
      status: 200,
      body: results.map((r) => {
        if ('success' in r) return r;
        if (r.existing) {
          this.write(r.existing, r.fields);
          return { id: r.existing.Id, success: true, errors: [], created: false };
        }
        const created = this.addRecord(object, r.fields);
        return { id: created.Id, success: true, errors: [], created: true };
      }),
    };
  }

  private collectionRequestProblem(
    request: EmulatorRequest,
    object: SalesforceObject,
    field: string,
  ): EmulatorResponse | undefined {
    if (request.method !== 'PATCH') {
      return errors(405, [
        { errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${request.method}' not allowed`, fields: [] },
      ]);
    }
    if (mediaType(request.headers) !== 'application/json') {
      return errors(415, [
        { errorCode: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json', fields: [] },
      ]);
    }
    if (!(this.options.externalIdFields?.[object] ?? []).includes(field)) {
      return errors(404, [
        {
          errorCode: 'NOT_FOUND',
          message: `Provided external ID field does not exist or is not accessible: ${field}`,
          fields: [],
        },
      ]);
    }
    const body = parseJson(request.body);
    const records = typeof body === 'object' && body !== null ? (body as { records?: unknown }).records : undefined;
    if (!Array.isArray(records) || records.length === 0) {
      return errors(400, [{ errorCode: 'INVALID_FIELD', message: 'records is required', fields: ['records'] }]);
    }
    if (records.length > 200) {
      return errors(400, [
        {
          errorCode: 'EXCEEDED_ID_LIMIT',
          message: 'record limit reached. cannot submit more than 200 records into this call',
          fields: [],
        },
      ]);
    }
    for (const record of records) {
      const type =
        typeof record === 'object' && record !== null
          ? (record as { attributes?: { type?: unknown } }).attributes?.type
          : undefined;
      if (type === undefined) {
        return errors(400, [{ errorCode: 'INVALID_TYPE', message: 'Must send a concrete entity type.', fields: [] }]);
      }
      if (type !== object) {
        return errors(400, [
          { errorCode: 'INVALID_TYPE', message: `Records must all be of type ${object}`, fields: [] },
        ]);
      }
    }
    return undefined;
  }

  private write(record: SalesforceRecord, body: Record<string, unknown>): void {
    for (const [field, value] of Object.entries(body)) {
      // null clears a field, as in Salesforce.
      if (value === null) delete record.fields[field];
      else record.fields[field] = value;
    }
  }

  private knows(object: SalesforceObject, field: string): boolean {
    return recordProblems(object, { [field]: null }, this.customFields(object), false).length === 0;
  }

  private customFields(object: SalesforceObject): ReadonlySet<string> {
    return new Set([
      ...(this.options.customFields?.[object] ?? []),
      ...(this.options.externalIdFields?.[object] ?? []),
    ]);
  }

  private newId(object: SalesforceObject): string {
    return `${ID_PREFIX[object]}${randomBytes(8).toString('hex').slice(0, 12).toUpperCase()}AAA`;
  }
}

/** One refused record of a collection: Salesforce's UpsertResult with `statusCode` errors. */
function itemError(statusCode: string, message: string, fields: string[]) {
  return { success: false as const, errors: [{ statusCode, message, fields }] };
}

function errors(status: number, list: SalesforceError[]): EmulatorResponse {
  return { status, body: list };
}

import { isPlainObject } from '@manifold/json';

// What Salesforce's REST API checks of a record body: the fields exist on the object, values are
// plain JSON, emails look like emails, numbers are numbers, and a created record has its
// object's required fields. Each problem is one entry of Salesforce's error array.

export type SalesforceObject = 'Lead' | 'Contact' | 'Account';

export interface SalesforceError {
  message: string;
  errorCode: string;
  fields: string[];
}

const ADDRESS = ['Street', 'City', 'State', 'PostalCode', 'Country'];

/** Writable standard fields of each object (those the emulator knows; the real objects have more). */
export const STANDARD_FIELDS: Record<SalesforceObject, ReadonlySet<string>> = {
  Lead: new Set([
    'FirstName',
    'LastName',
    'Company',
    'Email',
    'Phone',
    'Title',
    'Website',
    'Description',
    'Industry',
    'LeadSource',
    'Status',
    ...ADDRESS,
  ]),
  Contact: new Set([
    'FirstName',
    'LastName',
    'Email',
    'Phone',
    'Title',
    'Description',
    'LeadSource',
    'AccountId',
    ...ADDRESS.map((p) => `Mailing${p}`),
  ]),
  Account: new Set([
    'Name',
    'AccountNumber',
    'Phone',
    'Website',
    'Industry',
    'Description',
    'NumberOfEmployees',
    ...ADDRESS.map((p) => `Billing${p}`),
  ]),
};

const REQUIRED: Record<SalesforceObject, readonly string[]> = {
  Lead: ['LastName', 'Company'],
  Contact: ['LastName'],
  Account: ['Name'],
};

const INTEGER_FIELDS = new Set(['NumberOfEmployees']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isSalesforceObject(name: string): name is SalesforceObject {
  return name === 'Lead' || name === 'Contact' || name === 'Account';
}

/** Problems of a record body; `creating` adds the required-field check. */
export function recordProblems(
  object: SalesforceObject,
  body: unknown,
  customFields: ReadonlySet<string>,
  creating: boolean,
  existing: Record<string, unknown> = {},
): SalesforceError[] {
  if (!isPlainObject(body)) {
    return [{ message: 'The request body must be a JSON object', errorCode: 'JSON_PARSER_ERROR', fields: [] }];
  }
  const problems: SalesforceError[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (!STANDARD_FIELDS[object].has(field) && !customFields.has(field)) {
      problems.push({
        message: `No such column '${field}' on sobject of type ${object}`,
        errorCode: 'INVALID_FIELD',
        fields: [field],
      });
      continue;
    }
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      problems.push({
        message: `Cannot deserialize instance of ${field} from ${Array.isArray(value) ? 'START_ARRAY' : 'START_OBJECT'}`,
        errorCode: 'JSON_PARSER_ERROR',
        fields: [field],
      });
    } else if (field.endsWith('Email') && typeof value === 'string' && !EMAIL.test(value)) {
      problems.push({
        message: `Email: invalid email address: ${value}`,
        errorCode: 'INVALID_EMAIL_ADDRESS',
        fields: [field],
      });
    } else if (INTEGER_FIELDS.has(field) && value !== null && !Number.isInteger(value)) {
      problems.push({
        message: `Cannot deserialize instance of int from ${typeof value} value`,
        errorCode: 'JSON_PARSER_ERROR',
        fields: [field],
      });
    }
  }
  if (problems.length > 0) return problems;
  const merged = { ...existing, ...body };
  const missing = creating
    ? REQUIRED[object].filter((f) => merged[f] === undefined || merged[f] === null || merged[f] === '')
    : [];
  if (missing.length > 0) {
    problems.push({
      message: `Required fields are missing: [${missing.join(', ')}]`,
      errorCode: 'REQUIRED_FIELD_MISSING',
      fields: missing,
    });
  }
  return problems;
}

/** The simple SOQL Manifold (and Segment's record matchers) send: `SELECT Id FROM X WHERE F = 'v' [LIMIT n]`. */
export function parseFindQuery(
  soql: string,
): { object: string; field: string; value: string; limit: number | undefined } | undefined {
  const match = /^SELECT Id FROM (\w+) WHERE (\w+) = '((?:[^'\\]|\\.)*)'(?: LIMIT (\d+))?$/i.exec(soql.trim());
  if (!match) return undefined;
  return {
    object: match[1]!,
    field: match[2]!,
    value: match[3]!.replace(/\\(.)/g, '$1'),
    limit: match[4] === undefined ? undefined : Number(match[4]),
  };
}

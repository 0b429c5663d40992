import {
  DeadLetterError,
  joinUrl,
  jsonRequest,
  USER_AGENT,
  type FollowUpStep,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import type { SalesforceSettings } from './settings';

// Salesforce REST requests. Every call goes to the org's instance URL (from the token answer);
// no credential is put here: the translator adds the OAuth access token as the request leaves.

export type SObject = 'Lead' | 'Contact' | 'Account';
export type FieldValues = Record<string, string | number | boolean | null>;

export const FIND_STEP = 'find-record';

/** What the record lookup's follow-up needs: which object, and the fields to write. */
export interface FindState {
  object: SObject;
  matchField: string;
  matchValue: string;
  fields: FieldValues;
}

export function dataUrl(settings: SalesforceSettings, path: string, query: Record<string, string> = {}): string {
  if (!settings.instanceUrl) {
    throw new DeadLetterError(
      'INVALID_SETTINGS',
      'no instance URL: connect the destination to Salesforce (the URL comes with the connection)',
    );
  }
  return joinUrl(settings.instanceUrl, `/services/data/v${settings.apiVersion}/${path}`, query);
}

/** PATCH /sobjects/{object}/{field}/{value}: created (201) or updated (200) in one call; the body must not repeat the field. */
export function upsertByExternalId(
  settings: SalesforceSettings,
  object: SObject,
  field: string,
  value: string,
  fields: FieldValues,
): RequestDescriptor {
  const body = Object.fromEntries(Object.entries(fields).filter(([name]) => name !== field));
  const path = `sobjects/${object}/${field}/${encodeURIComponent(value)}`;
  return jsonRequest('PATCH', dataUrl(settings, path), body);
}

/** SOQL text for `field = 'value'`: quotes and backslashes escaped as SOQL wants. */
export function soqlFindQuery(object: SObject, field: string, value: string): string {
  const quoted = value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return `SELECT Id FROM ${object} WHERE ${field} = '${quoted}' LIMIT 2`;
}

/** GET /query for the records whose `field` holds the value; its answer decides create or update. */
export function findRecord(settings: SalesforceSettings, state: FindState): RequestDescriptor {
  const url = dataUrl(settings, 'query', { q: soqlFindQuery(state.object, state.matchField, state.matchValue) });
  const followUp: FollowUpStep = { step: FIND_STEP, state };
  return { method: 'GET', url, headers: { accept: 'application/json', 'user-agent': USER_AGENT }, followUp };
}

/** Fields Salesforce requires to create each object. */
const REQUIRED_TO_CREATE: Record<SObject, readonly string[]> = {
  Lead: ['LastName', 'Company'],
  Contact: ['LastName'],
  Account: ['Name'],
};

/** Salesforce's own filler for a required field a web form left empty (its Web-to-Lead does the same). */
export const NOT_PROVIDED = '[not provided]';

/** After the lookup: create when none matched, update the one that did, refuse when several did. */
export function writeFound(
  responseBody: string,
  state: FindState,
  settings: SalesforceSettings,
  notices: Notices,
): RequestDescriptor[] {
  const ids = recordIds(responseBody);
  if (ids === undefined) {
    throw new DeadLetterError('REJECTED', `the ${state.object} lookup answered without a record list`);
  }
  if (ids.length === 0) {
    // A new record needs its required fields; an update does not (it keeps the ones it has).
    const fields = { ...state.fields };
    for (const field of REQUIRED_TO_CREATE[state.object]) {
      if (fields[field] !== undefined && fields[field] !== null && fields[field] !== '') continue;
      fields[field] = NOT_PROVIDED;
      notices.reshaped(field, `set to "${NOT_PROVIDED}": a new ${state.object} needs it and the call has none`);
    }
    return [jsonRequest('POST', dataUrl(settings, `sobjects/${state.object}`), fields)];
  }
  if (ids.length === 1) {
    return [
      jsonRequest('PATCH', dataUrl(settings, `sobjects/${state.object}/${encodeURIComponent(ids[0]!)}`), state.fields),
    ];
  }
  throw new DeadLetterError(
    'REJECTED',
    `several ${state.object} records have ${state.matchField} = ${JSON.stringify(state.matchValue)}: none was updated`,
    300,
  );
}

/** The Ids of a SOQL answer's records; undefined when it is not one. */
function recordIds(body: string): string[] | undefined {
  try {
    const parsed = JSON.parse(body) as { records?: unknown };
    if (!Array.isArray(parsed.records)) return undefined;
    return (parsed.records as { Id?: unknown }[]).map((r) => r.Id).filter((id): id is string => typeof id === 'string');
  } catch {
    return undefined;
  }
}

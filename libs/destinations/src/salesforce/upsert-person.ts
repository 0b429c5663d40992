import { z } from 'zod';
import { defineAction, DropEventError, lenient, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { coalesce, optionalText, record } from '../common/fields';
import { findRecord, upsertByExternalId } from './api';
import { collectionUpsert, MAX_COLLECTION_RECORDS } from './collections';
import { recordFields } from './record-fields';
import { salesforceSettings, type SalesforceSettings } from './settings';

// Identify → the Lead or Contact (setting `identifyObject`) of this person, created or updated.
// With an external id field (setting), one upsert call by the userId; otherwise the record is
// looked up by email first (Segment's record matcher), then created or updated.

const fields = z.object({
  email: lenient.email(),
  userId: optionalText(),
  traits: record(),
  /** Further fields by API name (a mapping can fill it); they win over the traits'. */
  customFields: record(),
});

type PersonPayload = z.output<typeof fields>;

function personValues(payload: PersonPayload, settings: SalesforceSettings, notices: Notices) {
  const values = recordFields(settings.identifyObject, payload.traits, payload.customFields, notices);
  // Email is the checked field's: an address it left out (with a notice) is not sent as the raw
  // trait, which Salesforce would refuse with the whole record (INVALID_EMAIL_ADDRESS).
  if (payload.email) values['Email'] = payload.email;
  else if (payload.customFields['Email'] === undefined) delete values['Email'];
  return values;
}

function externalIdOf(payload: PersonPayload, settings: SalesforceSettings, field: string): string {
  if (!payload.userId) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      `a ${settings.identifyObject} is upserted by ${field}: the identify needs a userId`,
    );
  }
  return payload.userId;
}

export function personRequests(
  payload: PersonPayload,
  settings: SalesforceSettings,
  notices: Notices,
): RequestDescriptor[] {
  const object = settings.identifyObject;
  const values = personValues(payload, settings, notices);
  const externalField = settings.identifyExternalIdField;
  if (externalField) {
    return [
      upsertByExternalId(settings, object, externalField, externalIdOf(payload, settings, externalField), values),
    ];
  }
  if (!payload.email) {
    throw new DropEventError('INVALID_PAYLOAD', `a ${object} is found by email: the identify needs an email`);
  }
  return [findRecord(settings, { object, matchField: 'Email', matchValue: payload.email, fields: values })];
}

export const upsertPerson = defineAction(salesforceSettings, {
  title: 'Upsert Lead or Contact',
  description: 'Identify: creates or updates the Lead or Contact of this person, by email or by an external id field.',
  fields,
  defaultMapping: {
    email: coalesce('$.traits.email', '$.context.traits.email'),
    userId: { '@path': '$.userId' },
    traits: { '@path': '$.traits' },
  },
  perform: personRequests,
  // Only upserts by an external id batch (a lookup by email is a flow of its own per event).
  batch: {
    maxEvents: MAX_COLLECTION_RECORDS,
    size: (settings) => (settings.identifyExternalIdField ? settings.batchSize : 1),
    perform: (payloads, settings, notices) => {
      const field = settings.identifyExternalIdField as string;
      const records = payloads.map((payload, i) => ({
        value: externalIdOf(payload, settings, field),
        fields: personValues(payload, settings, notices[i] as Notices),
      }));
      return [collectionUpsert(settings, settings.identifyObject, field, records)];
    },
  },
});

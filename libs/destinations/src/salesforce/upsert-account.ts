import { z } from 'zod';
import { defineAction, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { record } from '../common/fields';
import { findRecord, upsertByExternalId } from './api';
import { collectionUpsert, MAX_COLLECTION_RECORDS } from './collections';
import { recordFields } from './record-fields';
import { salesforceSettings, type SalesforceSettings } from './settings';

// Group → the Account of this groupId, created or updated: by an external id field (setting)
// in one upsert call, else looked up by AccountNumber (where Segment's preset puts the groupId).

const fields = z.object({
  groupId: z.string().min(1),
  traits: record(),
  customFields: record(),
});

type AccountPayload = z.output<typeof fields>;

export function accountRequests(
  payload: AccountPayload,
  settings: SalesforceSettings,
  notices: Notices,
): RequestDescriptor[] {
  const values = recordFields('Account', payload.traits, payload.customFields, notices);
  const externalField = settings.accountExternalIdField;
  if (externalField) return [upsertByExternalId(settings, 'Account', externalField, payload.groupId, values)];
  values['AccountNumber'] = payload.groupId;
  return [
    findRecord(settings, {
      object: 'Account',
      matchField: 'AccountNumber',
      matchValue: payload.groupId,
      fields: values,
    }),
  ];
}

export const upsertAccount = defineAction(salesforceSettings, {
  title: 'Upsert Account',
  description: 'Group: creates or updates the Account of the groupId, by an external id field or by AccountNumber.',
  fields,
  defaultMapping: {
    groupId: { '@path': '$.groupId' },
    traits: { '@path': '$.traits' },
  },
  perform: accountRequests,
  // Only upserts by an external id batch (a lookup by AccountNumber is a flow of its own per event).
  batch: {
    maxEvents: MAX_COLLECTION_RECORDS,
    size: (settings) => (settings.accountExternalIdField ? settings.batchSize : 1),
    perform: (payloads, settings, notices) => [
      collectionUpsert(
        settings,
        'Account',
        settings.accountExternalIdField as string,
        payloads.map((payload, i) => ({
          value: payload.groupId,
          fields: recordFields('Account', payload.traits, payload.customFields, notices[i] as Notices),
        })),
      ),
    ],
  },
});

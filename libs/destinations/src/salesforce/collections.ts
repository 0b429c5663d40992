import { jsonRequest, type RequestDescriptor } from '@manifold/destination-kit';
import { dataUrl, type FieldValues, type SObject } from './api';
import type { SalesforceSettings } from './settings';

// Batched upserts by an external id field: sObject Collections
// (PATCH /composite/sobjects/{object}/{field}), up to 200 records of one object per request, each
// with `attributes.type` and its external id value among its fields. `allOrNone: false`, so each
// record stands alone and Salesforce answers one UpsertResult per record, in order. Salesforce
// refuses a value given twice in one request, so the events of one record (one user identified
// twice in a batch) are merged into one, in event order (a later value wins, as sequential upserts
// would leave it); `itemBodyIndex` tells the classifier which record answers for which event.

export const MAX_COLLECTION_RECORDS = 200;

export interface ExternalIdRecord {
  value: string;
  fields: FieldValues;
}

export function collectionUpsert(
  settings: SalesforceSettings,
  object: SObject,
  field: string,
  events: readonly ExternalIdRecord[],
): RequestDescriptor {
  const records: ExternalIdRecord[] = [];
  // Salesforce compares external ids without regard to case.
  const recordOf = new Map<string, number>();
  const itemEvents: number[] = [];
  const itemBodyIndex: number[] = [];
  events.forEach((event, index) => {
    const key = event.value.toLowerCase();
    let at = recordOf.get(key);
    if (at === undefined) {
      at = records.push({ value: event.value, fields: {} }) - 1;
      recordOf.set(key, at);
    }
    const record = records[at] as ExternalIdRecord;
    record.value = event.value;
    Object.assign(record.fields, event.fields);
    itemEvents.push(index);
    itemBodyIndex.push(at);
  });
  const body = {
    allOrNone: false,
    records: records.map((r) => ({ attributes: { type: object }, ...r.fields, [field]: r.value })),
  };
  return {
    ...jsonRequest('PATCH', dataUrl(settings, `composite/sobjects/${object}/${field}`), body),
    itemEvents,
    itemBodyIndex,
  };
}

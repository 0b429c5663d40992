import { z } from 'zod';
import { defineAction, type Notices, type RequestDescriptor } from '@manifold/destination-kit';
import { contactFields, contactMapping, planContact, type ContactPayload, type PlannedContact } from './contact';
import { contactsRequest } from './custom-fields';
import { sendgridSettings, type SendgridSettings } from './settings';

// Identify → PUT /v3/marketing/contacts, Segment's "Upsert Contact" (updateUserProfile), batched:
// up to `batchSize` contacts per request, cut below SendGrid's 30,000 contacts and 6 MB.

const MAX_CONTACTS = 30_000;
const MAX_BODY_BYTES = 6 * 1024 * 1024 - 64 * 1024;

function chunked(planned: PlannedContact[], settings: SendgridSettings): RequestDescriptor[] {
  const requests: RequestDescriptor[] = [];
  let chunk: number[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    requests.push(
      contactsRequest(
        chunk.map((i) => planned[i] as PlannedContact),
        chunk,
        settings,
      ),
    );
    chunk = [];
    bytes = 0;
  };
  planned.forEach((item, i) => {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (chunk.length === MAX_CONTACTS || bytes + size > MAX_BODY_BYTES) flush();
    chunk.push(i);
    bytes += size;
  });
  flush();
  return requests;
}

export const upsertContact = defineAction(sendgridSettings, {
  title: 'Upsert contact',
  description: 'Identify: creates or updates the Marketing Campaigns contact, with traits as custom fields.',
  fields: z.object(contactFields),
  defaultMapping: contactMapping,
  perform: (payload: ContactPayload, settings: SendgridSettings, notices: Notices) =>
    chunked([planContact(payload, notices)], settings),
  batch: {
    maxEvents: MAX_CONTACTS,
    size: (settings: SendgridSettings) => settings.batchSize,
    perform: (payloads: ContactPayload[], settings: SendgridSettings, notices: readonly Notices[]) =>
      chunked(
        payloads.map((payload, i) => planContact(payload, notices[i] as Notices)),
        settings,
      ),
  },
});

import {
  defineDestination,
  type HttpResponseInfo,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { classifySendgridResponse } from './classify-response';
import { FIELDS_STEP, fieldsFollowUp } from './custom-fields';
import { sendgridSettings, type SendgridSettings } from './settings';
import { upsertContact } from './upsert-contact';

// SendGrid Marketing Campaigns' contacts API (libs/destinations/src/sendgrid/README.md), with
// Segment's "Upsert Contact" action on identify; contacts batched, custom fields resolved (and
// created) through the field definitions before the upsert.

function followUp(
  response: HttpResponseInfo,
  request: RequestDescriptor,
  settings: SendgridSettings,
  notices: Notices,
) {
  return request.followUp?.step === FIELDS_STEP
    ? fieldsFollowUp(response.body, request.followUp.state, settings, notices)
    : [];
}

export const sendgrid = defineDestination({
  id: 'sendgrid',
  name: 'SendGrid Marketing Campaigns',
  description:
    'Upserts SendGrid Marketing Campaigns contacts, in batches, with traits as custom fields and list membership.',
  categories: ['Email Marketing'],
  settings: sendgridSettings,
  actions: { upsertContact },
  routes: {
    identify: [{ action: 'upsertContact' }],
    track: { unsupported: 'SendGrid Marketing Campaigns keeps contacts, not events' },
    page: { unsupported: 'SendGrid Marketing Campaigns keeps contacts, not page views' },
    screen: { unsupported: 'SendGrid Marketing Campaigns keeps contacts, not screen views' },
    group: { unsupported: 'SendGrid Marketing Campaigns has no groups or accounts' },
    alias: { unsupported: 'SendGrid contacts cannot be merged through the API' },
  },
  classifyResponse: classifySendgridResponse,
  followUp,
});

export { sendgridSettings, type SendgridSettings } from './settings';

import {
  defineDestination,
  type HttpResponseInfo,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { BATCH_MERGE_STEP, batchMergeFollowUp } from './batch-subscribe';
import { classifyMailchimpResponse } from './classify-response';
import { MEMBER_SAVED_STEP, MERGE_STEP, memberSavedFollowUp, mergeFollowUp } from './member-flow';
import { mailchimpSettings, type MailchimpSettings } from './settings';
import { trackEvent } from './track-event';
import { upsertMember } from './upsert-member';

// Mailchimp's Marketing API 3.0 (libs/destinations/src/mailchimp/README.md), as Segment's classic
// destination on identify (members upserted by subscriber hash, traits as merge fields) plus tags
// and, as RudderStack, member events on track.

function followUp(
  response: HttpResponseInfo,
  request: RequestDescriptor,
  settings: MailchimpSettings,
  notices: Notices,
) {
  switch (request.followUp?.step) {
    case MERGE_STEP:
      return mergeFollowUp(response.body, request.followUp.state, settings, notices);
    case BATCH_MERGE_STEP:
      return batchMergeFollowUp(response.body, request.followUp.state, settings, notices);
    case MEMBER_SAVED_STEP:
      return memberSavedFollowUp(request.followUp.state, settings);
    default:
      return [];
  }
}

export const mailchimp = defineDestination({
  id: 'mailchimp',
  name: 'MailChimp',
  description:
    'Adds and updates Mailchimp audience members with traits as merge fields and tags, and records member events.',
  categories: ['Email Marketing'],
  settings: mailchimpSettings,
  actions: { upsertMember, trackEvent },
  routes: {
    identify: [{ action: 'upsertMember' }],
    track: [{ action: 'trackEvent' }],
    page: { unsupported: 'Mailchimp has no page views for audience members' },
    screen: { unsupported: 'Mailchimp has no screen views for audience members' },
    group: { unsupported: 'Mailchimp has no groups or accounts' },
    alias: { unsupported: 'Mailchimp members are named by email; an alias carries none' },
  },
  classifyResponse: classifyMailchimpResponse,
  followUp,
});

export { mailchimpSettings, type MailchimpSettings } from './settings';

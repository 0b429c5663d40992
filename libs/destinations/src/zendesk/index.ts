import {
  defineDestination,
  type HttpResponseInfo,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { classifyZendeskResponse } from './classify-response';
import { FIELDS_STEP, fieldsFollowUp } from './custom-fields';
import {
  groupOrganization,
  ORGANIZATION_SAVED_STEP,
  organizationSavedFollowUp,
  USER_FOUND_STEP,
  userFoundFollowUp,
} from './group-organization';
import { identifyUser } from './identify-user';
import { JOB_STEP, jobQueuedFollowUp } from './job-status';
import { zendeskSettings, type ZendeskSettings } from './settings';

// Zendesk Support API v2 (libs/destinations/src/zendesk/README.md), as Segment's classic
// destination: identify → users (create or update by email or external id), group →
// organizations (by external id) and the user's membership; custom user and organization fields
// read (and created) before the record is sent.

function followUp(response: HttpResponseInfo, request: RequestDescriptor, settings: ZendeskSettings, notices: Notices) {
  switch (request.followUp?.step) {
    case FIELDS_STEP:
      return fieldsFollowUp(response.body, request.followUp.state, settings, notices);
    case ORGANIZATION_SAVED_STEP:
      return organizationSavedFollowUp(response.body, request.followUp.state, settings);
    case USER_FOUND_STEP:
      return userFoundFollowUp(response.body, request.followUp.state, settings, notices);
    case JOB_STEP:
      return jobQueuedFollowUp(response.body, settings);
    default:
      return [];
  }
}

export const zendesk = defineDestination({
  id: 'zendesk',
  name: 'Zendesk',
  description: 'Creates and updates Zendesk Support users and organizations, with traits as custom fields.',
  categories: ['Helpdesks', 'Customer Success'],
  settings: zendeskSettings,
  actions: { identifyUser, groupOrganization },
  routes: {
    identify: [{ action: 'identifyUser' }],
    group: [{ action: 'groupOrganization' }],
    track: {
      unsupported:
        'Zendesk Support keeps users and organizations; user events need the separate Sunshine profiles API and plan',
    },
    page: { unsupported: 'Zendesk Support has no page views' },
    screen: { unsupported: 'Zendesk Support has no screen views' },
    alias: { unsupported: 'Zendesk merges users only by their Zendesk ids' },
  },
  classifyResponse: classifyZendeskResponse,
  followUp,
});

export { zendeskSettings, type ZendeskSettings } from './settings';

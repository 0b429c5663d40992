import {
  defineDestination,
  type HttpResponseInfo,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { uniqueContactId } from './api';
import { ATTRIBUTES_STEP, attributesFollowUp } from './attributes-flow';
import { classifyIntercomResponse } from './classify-response';
import { CONTACT_SAVED_STEP, GROUP_ATTACH_STEP } from './continuation';
import {
  GROUP_SEARCH_STEP,
  groupAttachFollowUp,
  groupIdentifyContact,
  groupSearchFollowUp,
} from './group-identify-contact';
import { contactSavedFollowUp, IDENTIFY_STEP, identifyContact, identifyFollowUp } from './identify-contact';
import { intercomSettings, type IntercomSettings } from './settings';
import { TRACK_STEP, trackEvent, trackFollowUp } from './track-event';

// Intercom's REST API 2.11, with the default subscriptions of Segment's
// Intercom (Actions). Contacts are found by search before being updated, and custom attributes
// must exist before they are written, so identify, group and email-only track are multi-request
// flows: each step's answer feeds `followUp` below.

function followUp(
  response: HttpResponseInfo,
  request: RequestDescriptor,
  settings: IntercomSettings,
  notices: Notices,
) {
  const step = request.followUp;
  switch (step?.step) {
    case IDENTIFY_STEP:
      return identifyFollowUp(uniqueContactId(response.body), step.state, settings);
    case TRACK_STEP:
      return trackFollowUp(uniqueContactId(response.body), step.state, settings);
    case GROUP_SEARCH_STEP:
      return groupSearchFollowUp(uniqueContactId(response.body), step.state, settings);
    case ATTRIBUTES_STEP:
      return attributesFollowUp(response.body, step.state, settings, notices);
    case CONTACT_SAVED_STEP:
      return contactSavedFollowUp(response.body, step.state, settings);
    case GROUP_ATTACH_STEP:
      return groupAttachFollowUp(response.body, step.state, settings);
    default:
      return [];
  }
}

export const intercom = defineDestination({
  id: 'intercom',
  name: 'Intercom',
  description: 'Creates and updates Intercom contacts and companies, and submits data events for them.',
  categories: ['Customer Success', 'Helpdesks', 'Livechat'],
  settings: intercomSettings,
  actions: { identifyContact, trackEvent, groupIdentifyContact },
  routes: {
    identify: [{ action: 'identifyContact' }],
    track: [{ action: 'trackEvent' }],
    group: [{ action: 'groupIdentifyContact' }],
    page: { unsupported: 'Intercom records page views only through its Messenger in the browser' },
    screen: { unsupported: 'Intercom records screen views only through its mobile SDKs' },
    alias: {
      unsupported: 'Intercom merges only a lead into a user, by their Intercom ids; alias calls are not mapped',
    },
  },
  classifyResponse: (response, request) => classifyIntercomResponse(response, request),
  followUp,
});

export { intercomSettings, type IntercomSettings } from './settings';

import { defineDestination, isPlainObject } from '@manifold/destination-kit';
import { associationFollowUp } from './associations';
import { classifyHubspotResponse } from './classify-response';
import { splitRefusedEvents } from './events-batch';
import { sendEvent } from './send-event';
import { hubspotSettings } from './settings';
import { upsertCompany } from './upsert-company';
import { upsertContact } from './upsert-contact';

// HubSpot CRM v3 and custom behavioural events, with Segment's default subscriptions:
// identify → contact upsert by email, group → company upsert (and its association with the
// contact of the call), track → custom event occurrence.
// Authenticated by a private-app token in the settings, or by an OAuth connection.

export const hubspot = defineDestination({
  id: 'hubspot',
  name: 'HubSpot',
  description: 'Upserts HubSpot contacts (identify) and companies (group) and sends custom behavioural events (track).',
  categories: ['CRM', 'Email Marketing'],
  settings: hubspotSettings,
  actions: { upsertContact, upsertCompany, sendEvent },
  routes: {
    identify: [{ action: 'upsertContact' }],
    group: [{ action: 'upsertCompany' }],
    track: [{ action: 'sendEvent' }],
    page: { unsupported: 'HubSpot records page views only through its own tracking code' },
    screen: { unsupported: 'HubSpot has no screen views' },
    alias: { unsupported: 'HubSpot merges contacts only in its own interface' },
  },
  classifyResponse: classifyHubspotResponse,
  // One invalid occurrence fails a whole events batch, without saying which: found by halving it.
  splitRefused: splitRefusedEvents,
  followUp: associationFollowUp,
  oauth: {
    authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    scopes: [
      'oauth',
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.companies.read',
      'crm.objects.companies.write',
      'analytics.behavioral_events.send',
    ],
    uses: (settings) => !settings.privateAppToken,
    // HubSpot refuses a revoked or unknown refresh token with its own status names, as well as RFC 6749's.
    grantRevoked: (status, body) =>
      status === 400 &&
      isPlainObject(body) &&
      (body['error'] === 'invalid_grant' ||
        body['status'] === 'BAD_REFRESH_TOKEN' ||
        body['status'] === 'BAD_AUTH_CODE'),
  },
});

export { hubspotSettings, type HubspotSettings } from './settings';

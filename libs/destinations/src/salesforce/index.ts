import {
  defineDestination,
  type HttpResponseInfo,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { FIND_STEP, writeFound, type FindState } from './api';
import { classifySalesforceResponse } from './classify-response';
import { salesforceSettings, type SalesforceSettings } from './settings';
import { upsertAccount } from './upsert-account';
import { upsertPerson } from './upsert-person';

// Salesforce's REST API with Segment's default subscriptions: identify → Lead (or Contact)
// upsert, group → Account upsert. Connected with OAuth 2.0 only (authorization code with a
// refresh token); the org's instance URL comes from the token answer.

const LOGIN = { production: 'https://login.salesforce.com', sandbox: 'https://test.salesforce.com' } as const;
const endpoints = (host: string) => ({
  authorizeUrl: `${host}/services/oauth2/authorize`,
  tokenUrl: `${host}/services/oauth2/token`,
});

export const salesforce = defineDestination({
  id: 'salesforce',
  name: 'Salesforce',
  description: 'Creates or updates Salesforce Leads or Contacts (identify) and Accounts (group).',
  categories: ['CRM'],
  settings: salesforceSettings,
  actions: { upsertPerson, upsertAccount },
  routes: {
    identify: [{ action: 'upsertPerson' }],
    group: [{ action: 'upsertAccount' }],
    track: { unsupported: 'Salesforce records here only Leads, Contacts and Accounts' },
    page: { unsupported: 'Salesforce records here only Leads, Contacts and Accounts' },
    screen: { unsupported: 'Salesforce records here only Leads, Contacts and Accounts' },
    alias: { unsupported: 'Salesforce merges records only in its own interface' },
  },
  classifyResponse: classifySalesforceResponse,
  followUp: (response: HttpResponseInfo, request: RequestDescriptor, settings: SalesforceSettings, notices: Notices) =>
    request.followUp?.step === FIND_STEP
      ? writeFound(response.body, request.followUp.state as FindState, settings, notices)
      : [],
  oauth: {
    ...endpoints(LOGIN.production),
    scopes: ['api', 'refresh_token'],
    keep: { instance_url: 'instanceUrl' },
    uses: () => true,
    // A sandbox org logs in at its own host; only these two, never a host a setting names.
    endpointsBySetting: { setting: 'environment', values: { sandbox: endpoints(LOGIN.sandbox) } },
  },
});

export { salesforceSettings, type SalesforceSettings } from './settings';

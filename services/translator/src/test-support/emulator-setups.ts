// Each destination's emulator, started on a free port, and the settings that point an instance at it.
import {
  AmplitudeEmulator,
  BrazeEmulator,
  HubspotEmulator,
  SalesforceEmulator,
  GoogleAdsEmulator,
  CustomerioEmulator,
  Ga4Emulator,
  IntercomEmulator,
  IterableEmulator,
  KlaviyoEmulator,
  MailchimpEmulator,
  MetaEmulator,
  MixpanelEmulator,
  PosthogEmulator,
  SlackEmulator,
  KissmetricsEmulator,
  KeenEmulator,
  HeapEmulator,
  SendgridEmulator,
  WebhookEmulator,
  ZendeskEmulator,
  type Emulator,
} from '@manifold/emulators';
import type { AccessTokenSource } from '../oauth/access-tokens';

export interface EmulatorSetup {
  emulator: Emulator;
  settings: Record<string, unknown>;
  /** For a type that connects only with OAuth: a fresh access token from the emulator's authorization server. */
  grantAccessToken?: () => string;
}

/**
 * The translator's access-token source for instances (by id) whose setup grants tokens: one token
 * each, a new one when the API refused the current one (the control plane's part, without it).
 */
export function emulatorAccessTokens(setups: ReadonlyMap<string, EmulatorSetup>): AccessTokenSource {
  const current = new Map<string, string>();
  return ({ destinationId, rejectedToken }) => {
    const grant = setups.get(destinationId)?.grantAccessToken;
    if (!grant) return Promise.reject(new Error(`${destinationId} has no OAuth connection`));
    let token = current.get(destinationId);
    if (!token || token === rejectedToken) current.set(destinationId, (token = grant()));
    return Promise.resolve({ accessToken: token });
  };
}

/** How to stand up each destination's emulator and point an instance's settings at it. */
export const EMULATOR_SETUPS: Record<string, () => Promise<EmulatorSetup>> = {
  webhook: async () => {
    const emulator = await new WebhookEmulator({ sharedSecret: 'hook-secret' }).start();
    return { emulator, settings: { url: `${emulator.baseUrl}/events`, sharedSecret: 'hook-secret' } };
  },
  mixpanel: async () => {
    const emulator = await new MixpanelEmulator({ projectToken: 'mp-token', apiSecret: 'mp-secret' }).start();
    return { emulator, settings: { projectToken: 'mp-token', apiSecret: 'mp-secret', apiBaseUrl: emulator.baseUrl } };
  },
  amplitude: async () => {
    const emulator = await new AmplitudeEmulator({ apiKey: 'amp-key' }).start();
    return {
      emulator,
      settings: { apiKey: 'amp-key', apiBaseUrl: emulator.baseUrl, userMapBaseUrl: emulator.baseUrl },
    };
  },
  'google-analytics-4': async () => {
    const emulator = await new Ga4Emulator({ apiSecret: 'ga-secret', measurementId: 'G-TEST123' }).start();
    return { emulator, settings: { measurementId: 'G-TEST123', apiSecret: 'ga-secret', apiBaseUrl: emulator.baseUrl } };
  },
  customerio: async () => {
    const emulator = await new CustomerioEmulator({ siteId: 'site-1', apiKey: 'cio-key' }).start();
    // One entity per request, so paths compare with single-event translations.
    return { emulator, settings: { siteId: 'site-1', apiKey: 'cio-key', apiBaseUrl: emulator.baseUrl, batchSize: 1 } };
  },
  posthog: async () => {
    const emulator = await new PosthogEmulator({ apiKey: 'phc_test' }).start();
    return { emulator, settings: { apiKey: 'phc_test', apiBaseUrl: emulator.baseUrl } };
  },
  intercom: async () => {
    const emulator = await new IntercomEmulator({ accessToken: 'ic-token' }).start();
    return { emulator, settings: { accessToken: 'ic-token', apiBaseUrl: emulator.baseUrl } };
  },
  braze: async () => {
    const emulator = await new BrazeEmulator({ apiKey: 'braze-key' }).start();
    return { emulator, settings: { apiKey: 'braze-key', apiBaseUrl: emulator.baseUrl } };
  },
  'meta-conversions-api': async () => {
    const emulator = await new MetaEmulator({ accessToken: 'meta-token', pixelId: '1234567890' }).start();
    return { emulator, settings: { accessToken: 'meta-token', pixelId: '1234567890', apiBaseUrl: emulator.baseUrl } };
  },
  klaviyo: async () => {
    const emulator = await new KlaviyoEmulator({ apiKey: 'pk_test' }).start();
    return { emulator, settings: { apiKey: 'pk_test', apiBaseUrl: emulator.baseUrl } };
  },
  iterable: async () => {
    const emulator = await new IterableEmulator({ apiKey: 'it-key' }).start();
    // One event per request, so paths compare with single-event translations.
    return { emulator, settings: { apiKey: 'it-key', apiBaseUrl: emulator.baseUrl, batchSize: 1 } };
  },
  slack: async () => {
    const hook = '/services/T0E2E/B0E2E/Sl4ckE2eT0ken';
    const emulator = await new SlackEmulator({ hooks: [hook] }).start();
    return { emulator, settings: { webhookUrl: `${emulator.baseUrl}${hook}` } };
  },
  heap: async () => {
    const emulator = await new HeapEmulator({ appId: 'heap-app' }).start();
    return { emulator, settings: { appId: 'heap-app', apiBaseUrl: emulator.baseUrl } };
  },
  keen: async () => {
    const emulator = await new KeenEmulator({ projectId: 'keenproject1', writeKey: 'keen-write' }).start();
    return { emulator, settings: { projectId: 'keenproject1', writeKey: 'keen-write', apiBaseUrl: emulator.baseUrl } };
  },
  kissmetrics: async () => {
    const emulator = await new KissmetricsEmulator({ apiKey: 'km-key' }).start();
    return { emulator, settings: { apiKey: 'km-key', apiBaseUrl: emulator.baseUrl } };
  },
  hubspot: async () => {
    const emulator = await new HubspotEmulator({
      portalId: '4242',
      privateAppTokens: ['pat-hs-token'],
      companyUniqueProperties: ['segment_group_id'],
      burstPer10s: 100_000,
    }).start();
    return { emulator, settings: { privateAppToken: 'pat-hs-token', portalId: '4242', apiBaseUrl: emulator.baseUrl } };
  },
  sendgrid: async () => {
    const emulator = await new SendgridEmulator({ apiKey: 'SG.test-key' }).start();
    return { emulator, settings: { apiKey: 'SG.test-key', apiBaseUrl: emulator.baseUrl } };
  },
  mailchimp: async () => {
    const emulator = await new MailchimpEmulator({ apiKey: 'mc-key-us6', listIds: ['list-1'] }).start();
    return { emulator, settings: { apiKey: 'mc-key-us6', listId: 'list-1', apiBaseUrl: `${emulator.baseUrl}/3.0` } };
  },
  zendesk: async () => {
    const emulator = await new ZendeskEmulator({ agentEmail: 'admin@acme.test', apiToken: 'zd-token' }).start();
    return {
      emulator,
      settings: { subdomain: 'acme', email: 'admin@acme.test', apiToken: 'zd-token', apiBaseUrl: emulator.baseUrl },
    };
  },
  salesforce: async () => {
    const emulator = await new SalesforceEmulator({ oauth: { clientId: 'sf-app', clientSecret: 'sf-secret' } }).start();
    // The instance URL the connection would have kept from the token answer.
    return {
      emulator,
      settings: { instanceUrl: emulator.baseUrl },
      grantAccessToken: () => emulator.oauth.grant().accessToken,
    };
  },
  'google-ads': async () => {
    const emulator = await new GoogleAdsEmulator({
      oauth: { clientId: 'g-app', clientSecret: 'g-secret' },
      developerToken: 'dev-token',
      customerIds: ['1234567890'],
      conversionActions: ['987654321'],
    }).start();
    return {
      emulator,
      settings: {
        customerId: '1234567890',
        developerToken: 'dev-token',
        conversionActionId: '987654321',
        apiBaseUrl: emulator.baseUrl,
      },
      grantAccessToken: () => emulator.oauth.grant().accessToken,
    };
  },
};

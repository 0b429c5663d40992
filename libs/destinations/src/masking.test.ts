// Every request a destination builds, masked as dead letters, traces and error samples store it,
// holds none of the instance's credentials in any form: for every destination of the registry.
import {
  buildRequests,
  catalogEntry,
  followUpRequests,
  maskRequest,
  prepareEvent,
  refusedRequestParts,
  translateEvent,
  type DestinationDefinition,
  type MaskedRequest,
  type PreparedEvent,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { CALL_TYPES, type SpecEvent } from '@manifold/events';
import { SECRET_MASK } from '@manifold/secrets';
import { DESTINATIONS, destinationIds } from './index';
import { parsed, specEvent } from './test-support/harness';

/** A distinctive secret with characters that URL-encoding, form-encoding and base64 all change. */
const secretValue = (destination: string, setting: string) => `Zq/${destination}.${setting}+S3cr3t=`;

const baseUrl = (id: string) => `https://${id}-user:${id}-PassW0rd@api.example.test`;

/** Settings per destination: every credential setting given a distinctive value (checked below). */
const SAMPLE_SETTINGS: Record<string, Record<string, unknown>> = {
  webhook: {
    url: 'https://hook-user:hook-PassW0rd@hooks.example.test/services/T0PATHTOKEN42/in?token=Qy%2Fquery%2BT0ken',
    headers: {
      Authorization: `Bearer ${secretValue('webhook', 'bearer')}`,
      'X-Api-Token': secretValue('webhook', 'x'),
    },
    sharedSecret: secretValue('webhook', 'sharedSecret'),
    batchSize: 10,
  },
  mixpanel: {
    projectToken: 'mp-project-token',
    apiSecret: secretValue('mixpanel', 'apiSecret'),
    apiBaseUrl: baseUrl('mixpanel'),
  },
  amplitude: {
    apiKey: secretValue('amplitude', 'apiKey'),
    apiBaseUrl: baseUrl('amplitude'),
    userMapBaseUrl: baseUrl('amplitude'),
  },
  'google-analytics-4': {
    measurementId: 'G-TEST123',
    apiSecret: secretValue('ga4', 'apiSecret'),
    apiBaseUrl: baseUrl('ga4'),
  },
  customerio: {
    siteId: secretValue('customerio', 'siteId'),
    apiKey: secretValue('customerio', 'apiKey'),
    apiBaseUrl: baseUrl('customerio'),
  },
  posthog: { apiKey: secretValue('posthog', 'apiKey'), apiBaseUrl: baseUrl('posthog') },
  braze: { apiKey: secretValue('braze', 'apiKey'), apiBaseUrl: baseUrl('braze'), appId: 'braze-app' },
  intercom: { accessToken: secretValue('intercom', 'accessToken'), apiBaseUrl: baseUrl('intercom') },
  'meta-conversions-api': {
    accessToken: secretValue('meta', 'accessToken'),
    pixelId: '1234567890',
    apiBaseUrl: baseUrl('meta'),
    testEventCode: 'TEST1',
  },
  klaviyo: { apiKey: secretValue('klaviyo', 'apiKey'), apiBaseUrl: baseUrl('klaviyo'), listId: 'Xy12Ab' },
  iterable: { apiKey: secretValue('iterable', 'apiKey'), apiBaseUrl: baseUrl('iterable'), batchSize: 10 },
  slack: { webhookUrl: 'https://hooks.slack.test/services/T0MASK42/B0MASK42/Sl4ckPathT0kenZq9' },
  kissmetrics: { apiKey: secretValue('kissmetrics', 'apiKey'), apiBaseUrl: baseUrl('kissmetrics') },
  keen: { projectId: 'abc123', writeKey: secretValue('keen', 'writeKey'), apiBaseUrl: baseUrl('keen') },
  heap: { appId: secretValue('heap', 'appId'), apiBaseUrl: baseUrl('heap') },
  hubspot: {
    privateAppToken: secretValue('hubspot', 'privateAppToken'),
    portalId: '4242',
    apiBaseUrl: baseUrl('hubspot'),
  },
  sendgrid: { apiKey: secretValue('sendgrid', 'apiKey'), apiBaseUrl: baseUrl('sendgrid'), batchSize: 10 },
  mailchimp: {
    apiKey: `${secretValue('mailchimp', 'apiKey')}-us6`,
    listId: 'a1b2c3d4e5',
    apiBaseUrl: baseUrl('mailchimp'),
  },
  zendesk: {
    subdomain: 'acme',
    email: 'admin@acme.test',
    apiToken: secretValue('zendesk', 'apiToken'),
    apiBaseUrl: baseUrl('zendesk'),
  },
  kafka: {
    brokers: 'kafka-1.example.test:9093',
    topic: 'events',
    saslMechanism: 'scram-sha-512',
    username: 'manifold',
    password: secretValue('kafka', 'password'),
    clientCertificate: 'MIIBcertificatebody',
    clientKey: secretValue('kafka', 'clientKey'),
  },
  'google-ads': {
    customerId: '1234567890',
    developerToken: secretValue('google-ads', 'developerToken'),
    conversionActionId: '987654321',
    apiBaseUrl: baseUrl('google-ads'),
  },
  salesforce: { instanceUrl: baseUrl('salesforce'), identifyExternalIdField: 'Segment_Id__c' },
};

const products = [
  { product_id: 'p-1', sku: 'SKU-1', name: 'Shoe', price: 30, quantity: 1 },
  { product_id: 'p-2', sku: 'SKU-2', name: 'Sock', price: 5, quantity: 2 },
];

/** Events of every call type, shaped so that each destination has something to send. */
const EVENTS: SpecEvent[] = [
  specEvent({
    type: 'track',
    event: 'Order Completed',
    properties: { order_id: 'o-1', total: 40, revenue: 40, currency: 'EUR', products },
    context: { ...specEvent({ type: 'track' }).context, traits: { email: 'ann@example.com' } },
  }),
  specEvent({ type: 'track', event: 'Product Viewed', properties: { product_id: 'p-1', price: 30 } }),
  specEvent({ type: 'identify', traits: { email: 'ann@example.com', name: 'Ann', plan: 'pro' } }),
  specEvent({ type: 'page', name: 'Cart', properties: { path: '/cart', url: 'https://shop.example.com/cart' } }),
  specEvent({ type: 'screen', name: 'Home', properties: { variation: 'blue' } }),
  specEvent({ type: 'group', groupId: 'co-1', traits: { name: 'Acme', plan: 'enterprise' } }),
  specEvent({ type: 'alias', previousId: 'anon-4d2b9c' }),
];

/** What a search or create answers in the flows that need several requests (Intercom). */
const REFUSAL = { status: 400, headers: { 'content-type': 'application/json' }, body: '{"message":"invalid"}' };
const REFUSED = { kind: 'dead-letter' as const, reason: 'REJECTED' as const, message: 'HTTP 400', status: 400 };
const FLOW_ANSWER = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ type: 'list', total_count: 1, data: [{ type: 'contact', id: 'c-1' }], id: 'co-1' }),
};

/** The credentials of the sample settings, as the test knows them (not as the code derives them). */
function credentialsOf(settings: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === 'string' && (/secret|key|token|siteId/i.test(name) || name === 'sharedSecret')) {
      if (name !== 'projectToken') values.push(value);
    }
    if (name === 'headers')
      for (const v of Object.values(value as Record<string, string>)) values.push(v.replace(/^Bearer /, ''));
    if (typeof value === 'string' && /^https?:/.test(value)) {
      const url = new URL(value);
      values.push(decodeURIComponent(url.username), decodeURIComponent(url.password));
      for (const v of url.searchParams.values()) values.push(v);
      for (const segment of url.pathname.split('/')) if (/\d/.test(segment)) values.push(segment);
    }
  }
  return [...new Set(values.filter((v) => v.length > 0))];
}

/** Every place a secret could hide in a request. */
function textsOf(request: Pick<MaskedRequest, 'url' | 'headers' | 'body'>): string[] {
  return [request.url, ...Object.values(request.headers), request.body ?? ''];
}

/** The secrets found in the texts in any form: as is, URL- or form-encoded, JSON-escaped, base64 (alone or in a Basic token). */
function leaked(texts: readonly string[], secrets: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    const decodedRuns = (text.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []).map((run) =>
      Buffer.from(run, 'base64').toString('latin1'),
    );
    for (const secret of secrets) {
      const forms = [
        secret,
        encodeURIComponent(secret),
        new URLSearchParams({ s: secret }).toString().slice(2),
        JSON.stringify(secret).slice(1, -1),
        Buffer.from(secret).toString('base64'),
        Buffer.from(secret).toString('base64url'),
      ];
      if (forms.some((form) => text.includes(form)) || decodedRuns.some((run) => run.includes(secret))) {
        found.add(secret);
      }
    }
  }
  return [...found];
}

/** Every request a destination makes for the sample events: single, batched, and each flow's next steps. */
function requestsFor(destination: DestinationDefinition, raw: Record<string, unknown>): RequestDescriptor[] {
  const settings = parsed(destination, raw);
  const requests: RequestDescriptor[] = [];
  const prepared: PreparedEvent[] = [];
  for (const event of EVENTS) {
    const translation = translateEvent(destination, event, settings);
    if (translation.kind !== 'requests') continue;
    requests.push(...translation.requests);
    // Batched with the events that translate alone (the translator sends one the API cannot take by itself).
    const one = prepareEvent(destination, event, settings);
    if (one.kind === 'prepared' && one.batchKey !== undefined) prepared.push(one);
  }
  const batchable = prepared.filter((p) => p.batchKey === prepared[0]?.batchKey).slice(0, 2);
  if (batchable.length === 2) {
    requests.push(
      ...buildRequests(
        destination,
        batchable[0]!.action,
        batchable.map((p) => p.payload),
        settings,
      ),
    );
  }
  const flows = [...requests];
  for (let step = 0; step < 5 && flows.length > 0; step++) {
    const next = flows.splice(0).flatMap((request) => {
      try {
        return followUpRequests(destination, request, FLOW_ANSWER, settings);
      } catch {
        return []; // the answer ended the flow
      }
    });
    requests.push(...next);
    flows.push(...next);
  }
  // The parts of a batch refused whole, for a destination that splits one (HubSpot's events batch).
  requests.push(
    ...requests.flatMap((request) => refusedRequestParts(destination, request, REFUSAL, REFUSED, settings)),
  );
  return requests;
}

describe('masking the requests of every destination', () => {
  it('has sample settings for every destination, with a distinctive value for each credential setting', () => {
    expect(Object.keys(SAMPLE_SETTINGS).sort()).toEqual(destinationIds().sort());
    for (const destination of DESTINATIONS) {
      const sample = SAMPLE_SETTINGS[destination.id]!;
      for (const [name, kind] of Object.entries(catalogEntry(destination).secrets)) {
        if (kind === 'url' && sample[name] === undefined) continue; // the default host carries no credential
        expect([destination.id, name, sample[name] !== undefined]).toEqual([destination.id, name, true]);
      }
    }
  });

  // A destination with a transport of its own (Kafka) logs in with its client: its requests
  // never hold a credential, masked or not.
  it.each(DESTINATIONS.filter((d) => d.transport).map((d) => [d.id, d] as const))(
    '%s: no credential in the requests at all',
    (id, destination) => {
      const settings = SAMPLE_SETTINGS[id]!;
      const requests = requestsFor(destination, settings);
      expect(requests.length).toBeGreaterThan(0);
      expect(leaked(requests.flatMap(textsOf), credentialsOf(settings))).toEqual([]);
    },
  );

  it.each(DESTINATIONS.filter((d) => !d.transport).map((d) => [d.id, d] as const))(
    '%s: no credential survives in URL, headers or body',
    (id, destination) => {
      const settings = SAMPLE_SETTINGS[id]!;
      const secrets = credentialsOf(settings);
      expect(secrets.length).toBeGreaterThan(0);
      const requests = requestsFor(destination, settings);
      expect(requests.length).toBeGreaterThan(0);
      // The requests as sent do carry credentials, or this test would prove nothing.
      expect(leaked(requests.flatMap(textsOf), secrets).length).toBeGreaterThan(0);
      for (const [i, request] of requests.entries()) {
        const masked = maskRequest(request);
        expect({ request: i, leaked: leaked(textsOf(masked), secrets) }).toEqual({ request: i, leaked: [] });
        expect(JSON.stringify(masked)).toContain(SECRET_MASK);
        // Nothing else is lost: the method, and the body's shape where it had no secret.
        expect(masked.method).toBe(request.method);
        expect(masked.body === undefined).toBe(request.body === undefined);
      }
    },
  );

  it('cuts a masked body to an excerpt without leaving part of a secret', () => {
    const destination = DESTINATIONS.find((d) => d.id === 'amplitude')!;
    const [request] = requestsFor(destination, SAMPLE_SETTINGS['amplitude']!);
    const at = request!.body!.indexOf(secretValue('amplitude', 'apiKey'));
    expect(at).toBeGreaterThanOrEqual(0);
    const masked = maskRequest(request!, { bodyChars: at + 5 });
    expect(masked.body).toBe(`${request!.body!.slice(0, at)}*****…`);
  });

  it('every call type is covered by some destination', () => {
    expect(new Set(EVENTS.map((e) => e.type))).toEqual(new Set(CALL_TYPES));
  });
});

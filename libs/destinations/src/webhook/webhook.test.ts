import { createHmac } from 'node:crypto';
import { buildRequests, catalogEntry, prepareEvent, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { WebhookEmulator } from '@manifold/emulators';
import { webhook } from './index';
import { deliverAll, parsed, runTranslationCases, specEvent, type TranslationCase } from '../test-support/harness';

const SECRET = 'whsec-test';
const hmac = (text: string) => createHmac('sha1', SECRET).update(text).digest('hex');

const track = specEvent({ type: 'track', event: 'Order Completed', properties: { total: 30, currency: 'EUR' } });
const identify = specEvent({ type: 'identify', traits: { email: 'ann@example.com', plan: 'pro' } });
const alias = specEvent({ type: 'alias', previousId: 'anon-4d2b9c' });
/** What other destinations convert or flatten, a webhook receives exactly as sent. */
const unusual = specEvent({
  type: 'track',
  event: 'Checkout Started',
  properties: {
    revenue: '24',
    cart: { id: 'c-1', items: [{ sku: 'a', price: '12.50' }] },
    tags: ['gift', 'express'],
    phone: 14155550123,
    _internal: true,
  },
  context: { ...specEvent({ type: 'track' }).context, location: { latitude: '48.8566', longitude: '2.3522' } },
});

const cases: TranslationCase[] = [
  {
    name: 'track: the whole Spec event as the body, signed',
    event: track,
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/hooks/segment',
          headers: {
            'content-type': 'application/json',
            'x-team': 'blue',
            'x-signature': hmac(JSON.stringify(track)),
          },
          json: track,
        },
      ],
    },
  },
  {
    name: 'identify with PUT',
    event: identify,
    settings: { method: 'PUT' },
    expect: { requests: [{ method: 'PUT', path: '/hooks/segment', json: identify }] },
  },
  {
    name: 'nested and list properties, numeric strings and numbers as phones: the event as sent, no notice',
    event: unusual,
    expect: {
      requests: [
        {
          method: 'POST',
          path: '/hooks/segment',
          headers: { 'x-signature': hmac(JSON.stringify(unusual)) },
          json: unusual,
        },
      ],
    },
  },
  {
    name: 'every call type goes through, alias included',
    event: alias,
    expect: { requests: [{ method: 'POST', path: '/hooks/segment', json: alias }] },
  },
];

describe('Webhook', () => {
  let hook: WebhookEmulator;
  beforeAll(async () => {
    hook = await new WebhookEmulator({ sharedSecret: SECRET, requiredHeaders: { 'X-Team': 'blue' } }).start();
  });
  afterAll(() => hook.close());

  const base = () => ({ url: `${hook.baseUrl}/hooks/segment`, sharedSecret: SECRET, headers: { 'X-Team': 'blue' } });

  it('has a valid definition and catalog entry', () => {
    expect(validateDefinition(webhook)).toEqual([]);
    expect(catalogEntry(webhook)).toMatchObject({
      id: 'webhook',
      name: 'Webhook',
      secrets: { url: 'url', headers: 'values', sharedSecret: 'whole' },
      supportedCallTypes: ['identify', 'track', 'page', 'screen', 'group', 'alias'],
    });
  });

  runTranslationCases(webhook, cases, () => ({ baseSettings: base(), baseUrl: hook.baseUrl }));

  it('signs over the exact body bytes it sends', () => {
    const settings = parsed(webhook, base());
    const translation = translateEvent(webhook, track, settings);
    if (translation.kind !== 'requests') throw new Error('no requests');
    const [request] = translation.requests;
    expect(request?.headers['x-signature']).toBe(hmac(request?.body ?? ''));
  });

  it('batches as a JSON array signed over the first event, accepted by the receiver', async () => {
    const settings = parsed(webhook, { ...base(), batchSize: 10 });
    const events = [track, identify, alias];
    const payloads = events.map((e) => {
      const prepared = prepareEvent(webhook, e, settings);
      if (prepared.kind !== 'prepared') throw new Error(prepared.message);
      expect(prepared.batchKey).toBe('send:');
      return prepared.payload;
    });
    const requests = buildRequests(webhook, 'send', payloads, settings);
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]?.body ?? '')).toEqual(events);
    expect(requests[0]?.headers['x-signature']).toBe(hmac(JSON.stringify(track)));
    expect(requests[0]?.itemEvents).toEqual([0, 1, 2]);
    const [result] = await deliverAll(webhook, requests);
    expect(result?.outcome.kind).toBe('delivered');
    expect(hook.deliveries.at(-1)?.body).toEqual(events);
  });

  it('takes the event as the body without copying it, and refuses a body that is not an object', () => {
    const fields = webhook.actions['send']?.fields;
    if (!fields) throw new Error('no send action');
    const checked = fields.safeParse({ data: track });
    expect(checked.success && checked.data['data']).toBe(track);
    const refused = fields.safeParse({ data: 'text' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('data must be a JSON object');
    expect(fields.safeParse({ data: [track] }).success).toBe(false);
  });

  it('does not batch when batchSize is 0, and refuses settings without a URL or with a bad one', () => {
    const prepared = prepareEvent(webhook, track, parsed(webhook, base()));
    expect('batchKey' in prepared).toBe(false);
    for (const raw of [{}, { url: 'ftp://x.test/' }, { url: 'https://x.test', method: 'GET' }]) {
      expect(() => parsed(webhook, raw)).toThrow('Webhook settings');
    }
  });

  it('a receiver that rejects the signature is a permanent failure; 503 and 429 are retried', async () => {
    const settings = parsed(webhook, { ...base(), sharedSecret: 'wrong' });
    const translation = translateEvent(webhook, track, settings);
    if (translation.kind !== 'requests') throw new Error('no requests');
    const [rejected] = await deliverAll(webhook, translation.requests);
    expect(rejected?.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED', status: 401 });

    hook.failNext(1, { status: 503 });
    hook.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const good = translateEvent(webhook, track, parsed(webhook, base()));
    if (good.kind !== 'requests') throw new Error('no requests');
    const [first] = await deliverAll(webhook, good.requests);
    const [second] = await deliverAll(webhook, good.requests);
    const [third] = await deliverAll(webhook, good.requests);
    expect(first?.outcome).toMatchObject({ kind: 'retry', status: 503 });
    expect(second?.outcome).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 2000 });
    expect(third?.outcome.kind).toBe('delivered');
  });
});

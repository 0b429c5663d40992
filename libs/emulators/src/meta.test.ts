import { createHash } from 'node:crypto';
import { MetaEmulator } from './index';
import { form, json, send } from './test-http';

const accessToken = 'meta-token';
const pixelId = '1234567890';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const event = (overrides: Record<string, unknown> = {}) => ({
  event_name: 'Purchase',
  event_time: NOW / 1000 - 60,
  event_id: 'm-1',
  action_source: 'website',
  event_source_url: 'https://shop.example.com/checkout',
  user_data: { em: sha('ann@example.com'), client_user_agent: 'Mozilla/5.0', client_ip_address: '203.0.113.7' },
  custom_data: { value: 12.5, currency: 'EUR', contents: [{ id: 'sku-1', quantity: 1 }] },
  ...overrides,
});
const bearer = { authorization: `Bearer ${accessToken}` };

describe('MetaEmulator', () => {
  let metaApi: MetaEmulator;
  beforeAll(async () => {
    metaApi = await new MetaEmulator({ accessToken, pixelId, now: () => NOW }).start();
  });
  afterAll(() => metaApi.close());
  beforeEach(() => metaApi.reset());

  const post = (body: unknown, headers: Record<string, string> = bearer, path = `/v24.0/${pixelId}/events`) =>
    send(`${metaApi.baseUrl}${path}`, json(body, headers));

  it('takes JSON with a Bearer token, or a form with access_token, and deduplicates on event_id + event_name', async () => {
    const ok = await post({ data: [event(), event({ event_time: '2026-06-01T11:59:00Z' })], test_event_code: 'T1' });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ events_received: 2, messages: [] });
    const viaForm = await send(
      `${metaApi.baseUrl}/v25.0/${pixelId}/events`,
      form({ data: [event({ event_id: 'm-2' })], access_token: accessToken }),
    );
    expect(viaForm.status).toBe(200);
    expect(metaApi.events.map((e) => e.testEventCode)).toEqual(['T1', 'T1', undefined]);
    expect(metaApi.uniqueEvents().map((e) => e.event['event_id'])).toEqual(['m-1', 'm-2']);
  });

  it.each([
    ['an unhashed email', event({ user_data: { em: 'ann@example.com', client_user_agent: 'UA' } }), 'must be hashed'],
    [
      'an upper-case hash',
      event({ user_data: { em: sha('a@b.co').toUpperCase(), client_user_agent: 'UA' } }),
      'must be hashed',
    ],
    [
      'a hashed IP',
      event({ user_data: { client_ip_address: sha('1.2.3.4'), client_user_agent: 'UA' } }),
      'must not be hashed',
    ],
    ['no user_data', event({ user_data: {} }), 'user_data'],
    ['event_time in milliseconds', event({ event_time: NOW - 60_000 }), 'seconds'],
    ['no action_source', event({ action_source: undefined }), 'action_source'],
    ['a website event without URL', event({ event_source_url: undefined }), 'event_source_url'],
    ['a website event without user agent', event({ user_data: { em: sha('a@b.co') } }), 'client_user_agent'],
    ['a Purchase without currency', event({ custom_data: { value: 3 } }), 'currency'],
    ['a content without id', event({ custom_data: { value: 3, currency: 'USD', contents: [{ quantity: 1 }] } }), 'id'],
    ['an app event without app_data', event({ action_source: 'app' }), 'app_data'],
  ])('rejects the whole request for %s, with a Graph error', async (_name, bad, text) => {
    const response = await post({ data: [event({ event_id: 'fine' }), bad] });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, is_transient: false },
    });
    expect((response.json() as { error: { error_user_msg: string } }).error.error_user_msg).toContain(text);
    expect(metaApi.events).toHaveLength(0);
  });

  it('answers subcode 2804003 for an event more than 7 days old', async () => {
    const response = await post({ data: [event({ event_time: NOW / 1000 - 8 * 24 * 3600 })] });
    expect(response.json()).toMatchObject({
      error: { code: 100, error_subcode: 2804003, error_user_title: 'Event Timestamp Too Old' },
    });
  });

  it('checks the token, the pixel and the batch size', async () => {
    expect((await post({ data: [event()] }, {})).json()).toMatchObject({ error: { code: 2500 } });
    expect((await post({ data: [event()] }, { authorization: 'Bearer x' })).json()).toMatchObject({
      error: { code: 190, type: 'OAuthException' },
    });
    expect((await post({ data: [event()] }, bearer, '/v24.0/999/events')).json()).toMatchObject({
      error: { code: 100, error_subcode: 33, type: 'GraphMethodException' },
    });
    const tooMany = await post({ data: Array.from({ length: 1001 }, () => event()) });
    expect(tooMany.status).toBe(400);
    expect((await post({ data: [] })).status).toBe(400);
  });

  it('matches hashed values against the customers it knows: Meta-normalised, or hashed as written', async () => {
    const known = await new MetaEmulator({
      accessToken,
      pixelId,
      now: () => NOW,
      customers: [{ em: 'Ann@Example.com', zp: '94107-1234', db: '1990-05-10' }],
    }).start();
    try {
      const userData = {
        em: sha('ann@example.com'),
        zp: [sha('94107-1234'), sha('94107')],
        db: sha('1990-05-10'),
        ct: sha('paris'),
        client_user_agent: 'UA',
      };
      const response = await send(
        `${known.baseUrl}/v24.0/${pixelId}/events`,
        json({ data: [event({ user_data: userData })] }, bearer),
      );
      expect(response.status).toBe(200);
      expect(known.matches.map((m) => [m.key, m.result])).toEqual([
        ['em', 'matched'],
        ['db', 'not normalised'],
        ['ct', 'unknown'],
        ['zp', 'not normalised'],
        ['zp', 'matched'],
      ]);
    } finally {
      await known.close();
    }
  });
});

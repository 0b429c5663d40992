import { KlaviyoEmulator } from './index';
import { json, send } from './test-http';

const apiKey = 'pk_test';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const headers = { authorization: `Klaviyo-API-Key ${apiKey}`, revision: '2026-07-15' };
const eventData = (
  attributes: Record<string, unknown> = {},
  profile: Record<string, unknown> = { email: 'a@b.co' },
) => ({
  type: 'event',
  attributes: {
    properties: { plan: 'pro' },
    time: '2026-06-01T11:59:00Z',
    unique_id: 'm-1',
    metric: { data: { type: 'metric', attributes: { name: 'Upgraded' } } },
    profile: { data: { type: 'profile', attributes: profile } },
    ...attributes,
  },
});

describe('KlaviyoEmulator', () => {
  let klaviyo: KlaviyoEmulator;
  beforeAll(async () => {
    klaviyo = await new KlaviyoEmulator({ apiKey, listIds: ['L1'], now: () => NOW }).start();
  });
  afterAll(() => klaviyo.close());
  beforeEach(() => klaviyo.reset());

  const post = (path: string, data: unknown, h: Record<string, string> = headers) =>
    send(`${klaviyo.baseUrl}${path}`, json({ data }, h));

  it('records an event once per unique_id, profile and metric (202 both times)', async () => {
    expect((await post('/api/events', eventData())).status).toBe(202);
    expect((await post('/api/events/', eventData())).status).toBe(202);
    expect(klaviyo.events).toHaveLength(1);
    expect(klaviyo.duplicatesIgnored).toBe(1);
  });

  it('profile-import answers 201 then 200; POST /api/profiles a duplicate 409 with its id', async () => {
    const profile = { type: 'profile', attributes: { email: 'a@b.co', first_name: 'Ann' } };
    const created = await post('/api/profile-import', profile);
    expect(created.status).toBe(201);
    expect((await post('/api/profile-import', profile)).status).toBe(200);
    const id = (created.json() as { data: { id: string } }).data.id;
    const duplicate = await post('/api/profiles', profile);
    expect(duplicate.status).toBe(409);
    expect(duplicate.json()).toMatchObject({
      errors: [{ status: 409, code: 'duplicate_profile', meta: { duplicate_profile_id: id } }],
    });
  });

  it.each([
    ['no revision header', eventData(), { authorization: headers.authorization }, 400, 'Missing revision header'],
    ['an unknown revision', eventData(), { ...headers, revision: '2026-07-16' }, 400, 'Invalid revision'],
    ['a retired revision', eventData(), { ...headers, revision: '2024-01-15' }, 410, 'retired'],
    ['a Bearer key', eventData(), { ...headers, authorization: `Bearer ${apiKey}` }, 401, 'private key'],
    ['no properties', eventData({ properties: undefined }), headers, 400, 'properties'],
    ['no metric name', eventData({ metric: { data: { type: 'metric', attributes: {} } } }), headers, 400, 'metric'],
    ['no identifier', eventData({}, { first_name: 'A' }), headers, 400, 'One of email'],
    ['a phone not in E.164', eventData({}, { phone_number: '0612345678' }), headers, 400, 'phone number'],
    ['a time in milliseconds', eventData({ time: NOW }), headers, 400, 'ISO 8601'],
    ['a wrong type', { ...eventData(), type: 'profile' }, headers, 400, "type must be 'event'"],
  ])('refuses an event with %s', async (_name, data, h, status, detail) => {
    const response = await post('/api/events', data, h);
    expect(response.status).toBe(status);
    const body = response.json() as { errors: { id: string; detail: string }[] };
    expect(body.errors[0]?.detail).toContain(detail);
    expect(body.errors[0]?.id).toEqual(expect.any(String));
  });

  it('subscribes consenting profiles to a list that exists, with an identifier per channel', async () => {
    const job = (attributes: Record<string, unknown>, list = 'L1') => ({
      type: 'profile-subscription-bulk-create-job',
      attributes: { profiles: { data: [{ type: 'profile', attributes }] } },
      relationships: { list: { data: { type: 'list', id: list } } },
    });
    const email = { email: { marketing: { consent: 'SUBSCRIBED' } } };
    expect(
      (await post('/api/profile-subscription-bulk-create-jobs', job({ email: 'a@b.co', subscriptions: email }))).status,
    ).toBe(202);
    expect(klaviyo.profileBy({ email: 'a@b.co' })?.subscriptions).toEqual([{ channel: 'email', listId: 'L1' }]);
    const noPhone = await post(
      '/api/profile-subscription-bulk-create-jobs',
      job({ email: 'a@b.co', subscriptions: { sms: email.email } }),
    );
    expect(noPhone.status).toBe(400);
    const unknownList = await post(
      '/api/profile-subscription-bulk-create-jobs',
      job({ email: 'a@b.co', subscriptions: email }, 'L9'),
    );
    expect(unknownList.status).toBe(404);
    const dated = { email: { marketing: { consent: 'SUBSCRIBED', consented_at: '2026-01-01T00:00:00Z' } } };
    const notHistorical = await post(
      '/api/profile-subscription-bulk-create-jobs',
      job({ email: 'a@b.co', subscriptions: dated }),
    );
    expect(notHistorical.status).toBe(400);
    const historical = job({ email: 'a@b.co', subscriptions: dated });
    const imported = { ...historical, attributes: { ...historical.attributes, historical_import: true } };
    expect((await post('/api/profile-subscription-bulk-create-jobs', imported)).status).toBe(202);
    const undated = {
      ...imported,
      attributes: {
        ...imported.attributes,
        profiles: job({ email: 'a@b.co', subscriptions: email }).attributes.profiles,
      },
    };
    expect((await post('/api/profile-subscription-bulk-create-jobs', undated)).status).toBe(400);
  });

  it('throttles per endpoint in fixed windows: 429 throttled with Retry-After', async () => {
    const limited = await new KlaviyoEmulator({
      apiKey,
      now: () => NOW,
      rateLimits: { '/api/events': [{ windowMs: 3_600_000, limit: 2 }] },
    }).start();
    try {
      const statuses = [];
      let last;
      for (let i = 0; i < 3; i++) {
        last = await send(`${limited.baseUrl}/api/events`, json({ data: eventData({ unique_id: `u-${i}` }) }, headers));
        statuses.push(last.status);
      }
      expect(statuses).toEqual([202, 202, 429]);
      expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
      expect(last?.json()).toMatchObject({ errors: [{ status: 429, code: 'throttled' }] });
    } finally {
      await limited.close();
    }
  });
});

import { PosthogEmulator } from './index';
import { json, send } from './test-http';

const apiKey = 'phc_test';
const uuid = '0190a5f2-7b3c-7d4e-8f10-123456789abc';
const event = (overrides: Record<string, unknown> = {}) => ({
  event: 'Signed Up',
  properties: { distinct_id: 'user-1', plan: 'pro' },
  timestamp: '2026-06-01T11:59:00.000Z',
  uuid,
  ...overrides,
});

describe('PosthogEmulator', () => {
  let ph: PosthogEmulator;
  beforeAll(async () => {
    ph = await new PosthogEmulator({ apiKey }).start();
  });
  afterAll(() => ph.close());
  beforeEach(() => ph.reset());

  it('captures one event on /i/v0/e/ and a batch on /batch/, the key in the body', async () => {
    const single = await send(`${ph.baseUrl}/i/v0/e/`, json({ api_key: apiKey, ...event() }));
    expect([single.status, single.json()]).toEqual([200, { status: 1 }]);
    const batch = await send(
      `${ph.baseUrl}/batch/`,
      json({ api_key: apiKey, historical_migration: true, batch: [event({ uuid: undefined }), event({ event: 'B' })] }),
    );
    expect([batch.status, batch.json()]).toEqual([200, { status: 1 }]);
    expect(ph.events.map((e) => [e.event, e.distinctId, e.historicalMigration])).toEqual([
      ['Signed Up', 'user-1', false],
      ['Signed Up', 'user-1', true],
      ['B', 'user-1', true],
    ]);
  });

  it('keeps one copy per uuid (same event, distinct_id and day)', async () => {
    await send(`${ph.baseUrl}/batch/`, json({ api_key: apiKey, batch: [event(), event(), event({ event: 'Other' })] }));
    expect(ph.events).toHaveLength(3);
    expect(ph.uniqueEvents()).toHaveLength(2);
  });

  it('drops events without a name or distinct_id silently: still 200 {"status":1}', async () => {
    const response = await send(
      `${ph.baseUrl}/batch/`,
      json({
        api_key: apiKey,
        batch: [
          event({ event: '' }),
          event({ properties: { plan: 'x' } }),
          event({ properties: { distinct_id: ' ' } }),
        ],
      }),
    );
    expect([response.status, response.json()]).toEqual([200, { status: 1 }]);
    expect(ph.events).toEqual([]);
    expect(ph.dropped.map((d) => d.reason)).toEqual([
      'missing event name',
      'missing or empty distinct_id',
      'missing or empty distinct_id',
    ]);
  });

  it.each([
    ['no key', { batch: [event()] }, 'API key not provided'],
    ['a wrong key', { api_key: 'phc_other', batch: [event()] }, 'Project API key invalid'],
  ])('answers 401 for %s', async (_name, body, detail) => {
    const response = await send(`${ph.baseUrl}/batch/`, json(body));
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({
      type: 'authentication_error',
      code: 'invalid_api_key',
      detail: expect.stringContaining(detail),
    });
  });

  it('refuses an invalid uuid, a body that is not JSON, and a body of 20 MB', async () => {
    const badUuid = await send(`${ph.baseUrl}/batch/`, json({ api_key: apiKey, batch: [event({ uuid: 'msg-1' })] }));
    expect(badUuid.status).toBe(400);
    const broken = await send(`${ph.baseUrl}/batch/`, { headers: { 'content-type': 'application/json' }, body: '{' });
    expect(broken.status).toBe(400);
    const small = await new PosthogEmulator({ apiKey, maxBodyBytes: 200 }).start();
    try {
      const big = await send(`${small.baseUrl}/batch/`, json({ api_key: apiKey, batch: [event(), event()] }));
      expect(big.status).toBe(413);
    } finally {
      await small.close();
    }
    expect(ph.events).toEqual([]);
  });

  it.each([
    ['$pageview without $current_url', event({ event: '$pageview' }), '$pageview needs properties.$current_url'],
    ['$screen without $screen_name', event({ event: '$screen' }), '$screen needs properties.$screen_name'],
    ['$identify without $set', event({ event: '$identify' }), '$identify needs properties.$set'],
    [
      '$groupidentify without $group_key',
      event({ event: '$groupidentify', properties: { distinct_id: 'u', $group_type: 'company' } }),
      '$groupidentify needs properties.$group_key',
    ],
    ['$create_alias without alias', event({ event: '$create_alias' }), '$create_alias needs properties.alias'],
    [
      '$set on a person-less event',
      event({ event: '$set', properties: { distinct_id: 'u', $set: { a: 1 }, $process_person_profile: false } }),
      'ignored when $process_person_profile is false',
    ],
    ['a timestamp in milliseconds', event({ timestamp: 1780315140000 }), 'timestamp must be an ISO-8601 date-time'],
    ['a date without a time', event({ timestamp: '2026-06-01' }), 'timestamp must be an ISO-8601 date-time'],
  ])('ingests but flags %s', async (_name, bad, problem) => {
    expect((await send(`${ph.baseUrl}/batch/`, json({ api_key: apiKey, batch: [bad] }))).status).toBe(200);
    expect(ph.events[0]?.problems.join('; ')).toContain(problem);
    expect(ph.acceptedEvents()).toEqual([]);
  });

  it('applies $identify person properties, merges, and group properties', async () => {
    await send(
      `${ph.baseUrl}/i/v0/e/`,
      json({
        api_key: apiKey,
        event: '$identify',
        distinct_id: 'user-1',
        properties: { $set: { email: 'a@b.co' }, $anon_distinct_id: 'anon-1' },
      }),
    );
    await send(
      `${ph.baseUrl}/batch/`,
      json({
        api_key: apiKey,
        batch: [
          {
            event: '$groupidentify',
            properties: { distinct_id: 'user-1', $group_type: 'company', $group_key: 'acme', $group_set: { n: 1 } },
          },
        ],
      }),
    );
    expect(ph.persons.get('user-1')).toEqual({ email: 'a@b.co' });
    expect(ph.merges).toEqual([['user-1', 'anon-1']]);
    expect(ph.groups.get('company:acme')).toEqual({ n: 1 });
  });
});

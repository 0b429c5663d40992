import { HeapEmulator } from './index';
import { json, send } from './test-http';

const appId = '1234567890';
const event = (overrides: Record<string, unknown> = {}) => ({
  event: 'Signed Up',
  identity: 'user-1',
  timestamp: '2026-06-01T11:59:00.000Z',
  idempotency_key: 'k-1',
  properties: { plan: 'pro', seats: 3, tags: ['a', 'b'] },
  ...overrides,
});

describe('HeapEmulator', () => {
  let hp: HeapEmulator;
  beforeAll(async () => {
    hp = await new HeapEmulator({ appId, limits: { perIdentityPerMinute: 5, perAppPerMinute: 8 } }).start();
  });
  afterAll(() => hp.close());
  beforeEach(() => hp.reset());

  const post = async (path: string, body: unknown) => {
    const r = await send(`${hp.baseUrl}${path}`, json(body));
    return [r.status, r.text === '' ? undefined : r.json()];
  };

  it('tracks one event or a bulk list; a repeated idempotency key stores nothing', async () => {
    expect(await post('/api/track', { app_id: appId, ...event() })).toEqual([200, {}]);
    expect(await post('/api/track', { app_id: appId, events: [event(), event({ idempotency_key: 'k-2' })] })).toEqual([
      200,
      {},
    ]);
    expect(hp.events.map((e) => e.idempotencyKey)).toEqual(['k-1', 'k-2']);
    expect(hp.duplicatesIgnored).toBe(1);
  });

  it('refuses invalid events: the whole request gets 400 with the reason', async () => {
    const refused = async (e: Record<string, unknown>) => {
      const [status, body] = await post('/api/track', {
        app_id: appId,
        events: [event({ idempotency_key: undefined }), e],
      });
      return [status, (body as { error: string }).error];
    };
    expect(await refused(event({ event: '' }))).toEqual([400, 'events[1].event is required']);
    expect(await refused(event({ event: 'e'.repeat(1025) }))).toEqual([
      400,
      'events[1].event must be at most 1024 characters',
    ]);
    expect(await refused(event({ user_id: '42' }))).toEqual([
      400,
      'events[1] needs exactly one of identity and user_id',
    ]);
    expect(await refused(event({ identity: undefined }))).toEqual([
      400,
      'events[1] needs exactly one of identity and user_id',
    ]);
    expect(await refused(event({ identity: undefined, user_id: 'abc' }))).toEqual([
      400,
      'events[1].user_id must be a numeric string from 0 to 2^53-1',
    ]);
    expect(await refused(event({ identity: 'u'.repeat(256) }))).toEqual([
      400,
      'events[1].identity must be at most 255 characters',
    ]);
    expect(await refused(event({ timestamp: 'yesterday' }))).toEqual([
      400,
      'events[1].timestamp must be an ISO-8601 date-time',
    ]);
    expect(await refused(event({ properties: { ok: true } }))).toEqual([
      400,
      'events[1].properties.ok must be a number or a string',
    ]);
    expect(await refused(event({ properties: { a: { b: 1 } } }))).toEqual([
      400,
      'events[1].properties.a must be a number or a string',
    ]);
    expect(await refused(event({ properties: { t: 'x'.repeat(1024) } }))).toEqual([
      400,
      'events[1].properties.t must be shorter than 1024 characters',
    ]);
    expect(hp.events).toEqual([]);
    expect(await post('/api/track', { app_id: 'other', ...event() })).toEqual([400, { error: 'Invalid app_id' }]);
    const many = Array.from({ length: 1001 }, (_, i) => event({ identity: `u-${i}` }));
    expect((await post('/api/track', { app_id: appId, events: many }))[0]).toBe(400);
  });

  it('user properties: created or overwritten per identity; "id" in any casing refused', async () => {
    expect(
      await post('/api/add_user_properties', { app_id: appId, identity: 'u', properties: { plan: 'free', n: 1 } }),
    ).toEqual([200, {}]);
    expect(
      await post('/api/add_user_properties', {
        app_id: appId,
        users: [{ identity: 'u', properties: { plan: 'pro' } }],
      }),
    ).toEqual([200, {}]);
    expect(hp.users.get('u')).toEqual({ plan: 'pro', n: 1 });
    expect(await post('/api/add_user_properties', { app_id: appId, identity: 'u', properties: { ID: 'x' } })).toEqual([
      400,
      { error: 'users[0].properties.ID: "id" cannot be a user property' },
    ]);
  });

  it('account properties need the Account ID setting', async () => {
    expect(
      await post('/api/add_account_properties', { app_id: appId, account_id: 'acme', properties: { tier: 'gold' } }),
    ).toEqual([200, {}]);
    expect(hp.accounts.get('acme')).toEqual({ tier: 'gold' });
    const off = await new HeapEmulator({ appId, accountsEnabled: false }).start();
    try {
      const r = await send(
        `${off.baseUrl}/api/add_account_properties`,
        json({ app_id: appId, account_id: 'a', properties: {} }),
      );
      expect(r.status).toBe(400);
    } finally {
      await off.close();
    }
  });

  it('limits events per identity and per app over a minute: 429', async () => {
    const batch = (identity: string, n: number, from = 0) =>
      post('/api/track', {
        app_id: appId,
        events: Array.from({ length: n }, (_, i) => event({ identity, idempotency_key: `${identity}-${from + i}` })),
      });
    expect((await batch('a', 5))[0]).toBe(200);
    expect((await batch('a', 1, 5))[0]).toBe(429);
    expect((await batch('b', 3))[0]).toBe(200);
    expect((await batch('c', 1))[0]).toBe(429);
    expect(hp.events).toHaveLength(8);
  });
});

import { CustomerioEmulator } from './index';
import { basic, json, send } from './test-http';

const siteId = 'site-1';
const apiKey = 'key-1';
const auth = { authorization: basic(siteId, apiKey) };
const event = (overrides: Record<string, unknown> = {}) => ({
  type: 'person',
  action: 'event',
  identifiers: { id: 'user-1' },
  name: 'Order Completed',
  id: 'msg-1',
  timestamp: 1780315140,
  attributes: { total: 30 },
  ...overrides,
});

describe('CustomerioEmulator', () => {
  let cio: CustomerioEmulator;
  beforeAll(async () => {
    cio = await new CustomerioEmulator({ siteId, apiKey }).start();
  });
  afterAll(() => cio.close());
  beforeEach(() => cio.reset());

  const entity = (body: unknown, headers: Record<string, string> = auth) =>
    send(`${cio.baseUrl}/api/v2/entity`, json(body, headers));

  it('applies an identify to the person and keeps one event per id', async () => {
    const identify = {
      type: 'person',
      action: 'identify',
      identifiers: { email: 'ann@example.com' },
      attributes: { plan: 'pro' },
      timestamp: 1780315140,
    };
    const response = await entity(identify);
    expect([response.status, response.json()]).toEqual([200, {}]);
    expect(cio.person({ email: 'ann@example.com' })?.attributes).toEqual({ plan: 'pro' });
    expect((await entity(event())).status).toBe(200);
    expect((await entity(event())).status).toBe(200);
    expect(cio.events).toHaveLength(1);
    expect(cio.duplicatesIgnored).toBe(1);
  });

  it.each([
    ['no auth', {}],
    ['a wrong key', { authorization: basic(siteId, 'nope') }],
    ['the key as username', { authorization: basic(apiKey) }],
  ])('refuses %s with 401', async (_name, headers) => {
    const response = await entity(event(), headers);
    expect([response.status, response.json()]).toEqual([401, { meta: { error: 'Unauthorized request' } }]);
  });

  it.each([
    ['a millisecond timestamp', event({ timestamp: 1780315140000 }), 'timestamp must be in seconds'],
    ['an ISO timestamp', event({ timestamp: '2026-06-01T11:59:00Z' }), 'timestamp must be a unix timestamp'],
    ['a blank name', event({ name: ' ' }), 'event name must not be blank'],
    ['a name over 100 bytes', event({ name: 'x'.repeat(101) }), 'event name cannot be longer than 100 bytes'],
    ['data that is not a hash', event({ attributes: [1] }), 'event data must be a hash'],
    ['no identifiers', event({ identifiers: undefined }), 'id attribute must be present'],
    ['an empty id', event({ identifiers: { id: '' } }), 'cannot be an empty string'],
    ['a numeric id', event({ identifiers: { id: 7 } }), 'must be a string value'],
    ['two identifiers', event({ identifiers: { id: 'a', email: 'b@c.d' } }), 'exactly one identifier'],
    ['an unknown action', event({ action: 'track' }), 'action "track" is not valid'],
    [
      'an anonymous identify',
      { type: 'person', action: 'identify', identifiers: { anonymous_id: 'a-1' } },
      'one of id, email, cio_id',
    ],
    [
      '301 attributes',
      {
        type: 'person',
        action: 'identify',
        identifiers: { id: 'u' },
        attributes: Object.fromEntries(Array.from({ length: 301 }, (_v, i) => [`a${i}`, i])),
      },
      'cannot identify more than 300 attributes in one request',
    ],
    [
      'an attribute value over 1000 bytes',
      { type: 'person', action: 'identify', identifiers: { id: 'u' }, attributes: { bio: 'x'.repeat(1001) } },
      "value for attribute 'bio' cannot be longer than 1000 bytes",
    ],
    [
      'a merge with root identifiers',
      { type: 'person', action: 'merge', identifiers: { id: 'u' }, primary: { id: 'u' }, secondary: { id: 'v' } },
      'merge takes primary and secondary only',
    ],
    [
      'a device without platform',
      { type: 'person', action: 'add_device', identifiers: { id: 'u' }, device: { token: 't' } },
      'platform must be ios or android',
    ],
    [
      'a device of a platform other than ios or android',
      { type: 'person', action: 'add_device', identifiers: { id: 'u' }, device: { token: 't', platform: 'mobile' } },
      'platform must be ios or android',
    ],
    [
      'device attributes that are not a hash',
      {
        type: 'person',
        action: 'add_device',
        identifiers: { id: 'u' },
        device: { token: 't', platform: 'ios', attributes: 'x' },
      },
      'device attributes must be a hash',
    ],
  ])('rejects %s with 400 meta.error', async (_name, body, message) => {
    const response = await entity(body);
    expect(response.status).toBe(400);
    expect((response.json() as { meta: { error: string } }).meta.error).toContain(message);
    expect(cio.entities).toHaveLength(0);
  });

  it('batches: applies valid entries and reports the others as 207 errors by batch_index', async () => {
    const response = await send(
      `${cio.baseUrl}/api/v2/batch`,
      json({ batch: [event(), event({ id: 'msg-2', name: '' }), event({ id: 'msg-3' })] }, auth),
    );
    expect(response.status).toBe(207);
    expect(response.json()).toEqual({
      errors: [{ batch_index: 1, reason: 'invalid', field: 'name', message: 'event name must not be blank' }],
    });
    expect(cio.events.map((e) => e.id)).toEqual(['msg-1', 'msg-3']);
    const clean = await send(`${cio.baseUrl}/api/v2/batch`, json({ batch: [event({ id: 'msg-4' })] }, auth));
    expect([clean.status, clean.json()]).toEqual([200, {}]);
  });

  it('refuses empty and oversize batches and entities over 32 KB', async () => {
    expect((await send(`${cio.baseUrl}/api/v2/batch`, json({ batch: [] }, auth))).status).toBe(400);
    const big = Array.from({ length: 20 }, (_v, i) =>
      event({ id: `m-${i}`, attributes: { blob: 'x'.repeat(30_000) } }),
    );
    expect((await send(`${cio.baseUrl}/api/v2/batch`, json({ batch: big }, auth))).status).toBe(413);
    const huge = await entity(event({ attributes: { blob: 'x'.repeat(40_000) } }));
    expect(huge.status).toBe(400);
    expect((await send(`${cio.baseUrl}/api/v2/entity`, { headers: auth, body: '{}' })).status).toBe(400);
  });

  it('relates people and objects, merges people and manages devices', async () => {
    await entity({
      type: 'object',
      action: 'identify',
      identifiers: { object_type_id: '1', object_id: 'acme' },
      attributes: { name: 'Acme' },
      cio_relationships: [{ identifiers: { id: 'user-1' }, relationship_attributes: { role: 'admin' } }],
    });
    expect(cio.objects.get('1:acme')).toMatchObject({ attributes: { name: 'Acme' } });
    await entity({ type: 'person', action: 'identify', identifiers: { id: 'old' }, attributes: { a: 1 } });
    const merge = await entity({ type: 'person', action: 'merge', primary: { id: 'new' }, secondary: { id: 'old' } });
    expect(merge.status).toBe(200);
    expect(cio.person({ id: 'new' })?.attributes).toEqual({ a: 1 });
    expect(cio.person({ id: 'old' })).toBeUndefined();
    await entity({
      type: 'person',
      action: 'add_device',
      identifiers: { id: 'new' },
      device: { token: 'tok', platform: 'ios', last_used: 1780315140 },
    });
    expect(Object.keys(cio.person({ id: 'new' })?.devices ?? {})).toEqual(['tok']);
  });

  it('v1: PUT customers/{id} identifies, POST …/events and /events track, merge_customers merges', async () => {
    const put = await send(`${cio.baseUrl}/api/v1/customers/user%2F1`, {
      method: 'PUT',
      ...json({ email: 'a@b.co', created_at: 1700000000 }, auth),
    });
    expect(put.status).toBe(200);
    expect(cio.person({ id: 'user/1' })?.attributes).toEqual({ email: 'a@b.co', created_at: 1700000000 });
    const tracked = await send(
      `${cio.baseUrl}/api/v1/customers/user%2F1/events`,
      json({ name: 'Viewed', type: 'page', data: { a: 1 } }, auth),
    );
    expect(tracked.status).toBe(200);
    const anonymous = await send(`${cio.baseUrl}/api/v1/events`, json({ name: 'Seen', anonymous_id: 'anon-1' }, auth));
    expect(anonymous.status).toBe(200);
    const noAnonymousId = await send(`${cio.baseUrl}/api/v1/events`, json({ name: 'Seen' }, auth));
    expect(noAnonymousId.status).toBe(400);
    expect(cio.events.map((e) => [e.action, e.identifiers])).toEqual([
      ['page', { id: 'user/1' }],
      ['event', { anonymous_id: 'anon-1' }],
    ]);
    const badTimestamp = await send(
      `${cio.baseUrl}/api/v1/customers/u/events`,
      json({ name: 'X', timestamp: 1780315140123 }, auth),
    );
    expect(badTimestamp.status).toBe(400);
  });
});

import { IterableEmulator } from './index';
import { json, send } from './test-http';

const apiKey = 'it-key';
const headers = { 'api-key': apiKey };
const event = (overrides: Record<string, unknown> = {}) => ({
  email: 'ann@example.com',
  eventName: 'Played',
  id: 'm-1',
  createdAt: 1780315140,
  dataFields: { song: 'Blue' },
  ...overrides,
});

describe('IterableEmulator', () => {
  let api: IterableEmulator;
  beforeAll(async () => {
    api = await new IterableEmulator({ apiKey, disallowedEventNames: ['Blocked'] }).start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  const post = (path: string, body: unknown, h: Record<string, string> = headers) =>
    send(`${api.baseUrl}${path}`, json(body, h));

  it('tracks an event; a repeated id overwrites it', async () => {
    const first = await post('/api/events/track', event());
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ msg: 'Event with id: m-1 tracked.', code: 'Success', params: { id: 'm-1' } });
    await post('/api/events/track', event({ dataFields: { song: 'Red' } }));
    expect(api.events.size).toBe(1);
    expect(api.overwrites).toBe(1);
    expect(api.events.get('m-1')?.['dataFields']).toEqual({ song: 'Red' });
  });

  it('updates users, merging nested data fields when asked', async () => {
    await post('/api/users/update', { userId: 'u-1', dataFields: { address: { city: 'Paris' }, plan: 'a' } });
    await post('/api/users/update', {
      userId: 'u-1',
      email: 'u1@example.com',
      dataFields: { address: { zip: '75001' } },
      mergeNestedObjects: true,
    });
    expect(api.users.get('email:u1@example.com')?.dataFields).toEqual({
      address: { city: 'Paris', zip: '75001' },
      plan: 'a',
    });
  });

  it.each([
    ['a wrong key', '/api/events/track', event(), { 'api-key': 'x' }, 401, 'BadApiKey'],
    ['createdAt in milliseconds', '/api/events/track', event({ createdAt: 1780315140000 }), headers, 400, 'BadParams'],
    ['no eventName', '/api/events/track', event({ eventName: '' }), headers, 400, 'BadParams'],
    ['no email or userId', '/api/events/track', event({ email: undefined }), headers, 400, 'BadParams'],
    ['an invalid email', '/api/users/update', { email: 'a@b' }, headers, 400, 'InvalidEmailAddressError'],
    [
      'a purchase without total',
      '/api/commerce/trackPurchase',
      { user: { userId: 'u' }, items: [] },
      headers,
      400,
      'BadParams',
    ],
    [
      'a purchase item without name',
      '/api/commerce/trackPurchase',
      { user: { userId: 'u' }, items: [{ id: 'p', price: 1, quantity: 1 }], total: 1 },
      headers,
      400,
      'BadParams',
    ],
  ])('refuses %s', async (_name, path, body, h, status, code) => {
    const response = await post(path, body, h);
    expect(response.status).toBe(status);
    expect(response.json()).toMatchObject({ code });
  });

  it('answers bulk requests with 200 and the failing items listed', async () => {
    const response = await post('/api/events/trackBulk', {
      events: [
        event(),
        event({ email: 'bad', id: 'm-2' }),
        event({ eventName: 'Blocked', id: 'm-3' }),
        event({ id: 'm-4', createdAt: 1.5 }),
      ],
    });
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({
      successCount: 1,
      failCount: 3,
      invalidEmails: ['bad'],
      disallowedEventNames: ['Blocked'],
      failedUpdates: { invalidEmails: ['bad'], invalidDataEmails: ['ann@example.com'] },
    });
    expect([...api.events.keys()]).toEqual(['m-1']);
    const tooMany = await post('/api/users/bulkUpdate', {
      users: Array.from({ length: 1001 }, (_v, i) => ({ userId: `u${i}` })),
    });
    expect(tooMany.status).toBe(400);
  });

  it('refuses bodies over 4 MB with 413; an email project needs emails', async () => {
    const big = await post('/api/events/track', event({ dataFields: { blob: 'x'.repeat(4 * 1024 * 1024) } }));
    expect(big.status).toBe(413);
    const emailProject = await new IterableEmulator({ apiKey, projectType: 'email' }).start();
    try {
      const response = await send(`${emailProject.baseUrl}/api/users/update`, json({ userId: 'u-1' }, headers));
      expect(response.status).toBe(400);
    } finally {
      await emailProject.close();
    }
  });

  it('limits the bulk endpoints per key (429 RateLimitExceeded)', async () => {
    const limited = await new IterableEmulator({
      apiKey,
      rateLimits: { '/api/users/bulkUpdate': [{ windowMs: 3_600_000, limit: 1 }] },
    }).start();
    try {
      const bulk = () => send(`${limited.baseUrl}/api/users/bulkUpdate`, json({ users: [{ userId: 'u' }] }, headers));
      expect((await bulk()).status).toBe(200);
      const throttled = await bulk();
      expect(throttled.status).toBe(429);
      expect(throttled.json()).toMatchObject({ code: 'RateLimitExceeded' });
    } finally {
      await limited.close();
    }
  });
});

import { IntercomEmulator } from './index';
import { json, send } from './test-http';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const token = 'ic-token';
const auth = { authorization: `Bearer ${token}`, 'intercom-version': '2.11' };

describe('IntercomEmulator', () => {
  let ic: IntercomEmulator;
  let clock = NOW;
  beforeAll(async () => {
    ic = await new IntercomEmulator({ accessToken: token, now: () => clock, searchLagMs: 2000 }).start();
  });
  afterAll(() => ic.close());
  beforeEach(() => {
    ic.reset();
    clock = NOW;
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
    send(`${ic.baseUrl}${path}`, json(body, headers));
  const search = (field: string, value: string) => post('/contacts/search', { query: { field, operator: '=', value } });

  it('creates a contact, finds it once the search index caught up, updates it with PUT', async () => {
    const created = await post('/contacts', { role: 'user', external_id: 'u-1', email: 'ann@example.com' });
    expect(created.status).toBe(200);
    const id = (created.json() as { id: string }).id;
    expect((await search('external_id', 'u-1')).json()).toMatchObject({ type: 'list', total_count: 0 });
    clock += 2000;
    expect((await search('external_id', 'u-1')).json()).toMatchObject({ total_count: 1, data: [{ id, role: 'user' }] });
    const updated = await send(`${ic.baseUrl}/contacts/${id}`, {
      method: 'PUT',
      ...json({ name: 'Ann', last_seen_at: 1780315140 }, auth),
    });
    expect(updated.status).toBe(200);
    expect(ic.contacts.get(id)).toMatchObject({ name: 'Ann', last_seen_at: 1780315140, email: 'ann@example.com' });
  });

  it('answers 409 conflict for a second user with the same external_id or email', async () => {
    const first = await post('/contacts', { role: 'user', external_id: 'u-1', email: 'ann@example.com' });
    const id = (first.json() as { id: string }).id;
    for (const body of [
      { role: 'user', external_id: 'u-1' },
      { role: 'user', email: 'ann@example.com' },
    ]) {
      const again = await post('/contacts', body);
      expect(again.status).toBe(409);
      expect(again.json()).toMatchObject({
        type: 'error.list',
        errors: [{ code: 'conflict', message: `A contact matching those details already exists with id=${id}` }],
      });
    }
    expect((await post('/contacts', { role: 'lead', email: 'ann@example.com' })).status).toBe(200);
  });

  it.each([
    ['no token', '/contacts', { role: 'user', email: 'a@b.co' }, {}, 401, 'unauthorized'],
    [
      'an unknown version',
      '/contacts',
      { role: 'user', email: 'a@b.co' },
      { ...auth, 'intercom-version': '9.9' },
      400,
      'intercom_version_invalid',
    ],
    ['a contact with nothing', '/contacts', {}, auth, 400, 'parameter_invalid'],
    ['a lead with external_id', '/contacts', { role: 'lead', external_id: 'x' }, auth, 400, 'parameter_invalid'],
    [
      'signed_up_at in milliseconds',
      '/contacts',
      { role: 'user', external_id: 'x', signed_up_at: 1780315140000 },
      auth,
      400,
      'parameter_invalid',
    ],
    [
      'a custom attribute the workspace does not have',
      '/contacts',
      { role: 'user', external_id: 'x', custom_attributes: { plan: 'pro' } },
      auth,
      400,
      'parameter_not_found',
    ],
    [
      'a phone number that is not a string',
      '/contacts',
      { role: 'user', external_id: 'x', phone: 33123456789 },
      auth,
      400,
      'parameter_invalid',
    ],
    ['an event without created_at', '/events', { event_name: 'x', user_id: 'u' }, auth, 400, 'parameter_not_found'],
    [
      'an event with an ISO created_at',
      '/events',
      { event_name: 'x', user_id: 'u', created_at: '2026-06-01T00:00:00Z' },
      auth,
      400,
      'parameter_invalid',
    ],
    [
      'an event without a user',
      '/events',
      { event_name: 'x', created_at: 1780315140 },
      auth,
      400,
      'parameter_not_found',
    ],
    [
      'an event of an unknown user',
      '/events',
      { event_name: 'x', created_at: 1780315140, user_id: 'ghost' },
      auth,
      404,
      'not_found',
    ],
    ['a company without company_id', '/companies', { name: 'Acme' }, auth, 400, 'parameter_not_found'],
  ])('refuses %s', async (_name, path, body, headers, status, code) => {
    const response = await post(path, body, headers);
    expect(response.status).toBe(status);
    expect(response.json()).toMatchObject({ type: 'error.list', errors: [{ code }] });
    expect(response.headers['x-ratelimit-limit']).toBe('10000');
  });

  it('takes events with 202 and no body, ignores duplicates, keeps 10 metadata keys, refuses nested metadata', async () => {
    await post('/contacts', { role: 'user', external_id: 'u-1', email: 'ann@example.com' });
    const metadata = Object.fromEntries(Array.from({ length: 12 }, (_v, i) => [`k${i}`, i]));
    const event = { event_name: 'Ordered', created_at: 1780315140, user_id: 'u-1', metadata };
    const first = await post('/events', {
      ...event,
      metadata: { ...metadata, price: { amount: 2700, currency: 'EUR' } },
    });
    expect([first.status, first.text]).toEqual([202, '']);
    expect((await post('/events', event)).status).toBe(202);
    expect(ic.events).toHaveLength(1);
    expect(Object.keys(ic.events[0]?.metadata ?? {})).toHaveLength(10);
    expect(ic.duplicatesIgnored).toBe(1);
    const nested = await post('/events', { ...event, created_at: 1780315141, metadata: { cart: { items: 2 } } });
    expect(nested.status).toBe(400);
    const cents = await post('/events', {
      ...event,
      created_at: 1780315142,
      metadata: { price: { amount: 27.5, currency: 'EUR' } },
    });
    expect(cents.status).toBe(400);
    const byEmail = await post('/events', { event_name: 'Seen', created_at: 1780315140, email: 'ann@example.com' });
    expect(byEmail.status).toBe(202);
  });

  it('custom attributes must be created first, with a valid name, and take values of their type', async () => {
    const create = (body: Record<string, unknown>) => post('/data_attributes', body);
    expect((await create({ name: 'plan', model: 'contact', data_type: 'string' })).json()).toMatchObject({
      type: 'data_attribute',
      name: 'plan',
      full_name: 'custom_attributes.plan',
      data_type: 'string',
      custom: true,
    });
    await create({ name: 'seats', model: 'contact', data_type: 'integer' });
    await create({ name: 'seats', model: 'company', data_type: 'float' });
    for (const [body, message] of [
      [{ name: 'plan', model: 'contact', data_type: 'string' }, 'already have'],
      [{ name: 'Email', model: 'contact', data_type: 'string' }, 'standard attributes'],
      [{ name: 'favourite.colour', model: 'contact', data_type: 'string' }, 'alphanumeric'],
      [{ name: 'tags', model: 'contact', data_type: 'list' }, "isn't an option"],
    ] as const) {
      const refused = await create(body);
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.json())).toContain(message);
    }
    const listed = (await send(`${ic.baseUrl}/data_attributes?model=contact`, { method: 'GET', headers: auth })).json();
    const custom = (listed as { data: { name: string; custom: boolean }[] }).data.filter((a) => a.custom);
    expect(custom.map((a) => a.name)).toEqual(['plan', 'seats']);

    const contact = (body: Record<string, unknown>) => post('/contacts', { role: 'user', ...body });
    expect((await contact({ external_id: 'u-1', custom_attributes: { plan: 'pro', seats: 3 } })).status).toBe(200);
    expect((await contact({ external_id: 'u-2', custom_attributes: { seats: '3' } })).status).toBe(400);
    expect((await contact({ external_id: 'u-3', custom_attributes: { seats: 2.5 } })).status).toBe(400);
    expect((await contact({ external_id: 'u-4', custom_attributes: { plan: { tier: 1 } } })).status).toBe(400);
    expect((await contact({ external_id: 'u-5', custom_attributes: { plan: 'x'.repeat(256) } })).status).toBe(400);
    expect((await post('/companies', { company_id: 'acme', custom_attributes: { seats: 2.5 } })).status).toBe(200);
    expect(ic.contactByExternalId('u-1')?.custom_attributes).toEqual({ plan: 'pro', seats: 3 });
  });

  it('upserts companies by company_id and attaches contacts by Intercom ids', async () => {
    clock -= 5000;
    const contact = (await post('/contacts', { role: 'user', external_id: 'u-1' })).json() as { id: string };
    const company = (await post('/companies', { company_id: 'acme', name: 'Acme', monthly_spend: 99.9 })).json() as {
      id: string;
    };
    const again = (await post('/companies', { company_id: 'acme', plan: 'pro' })).json() as { id: string };
    expect(again.id).toBe(company.id);
    expect(ic.companies.get('acme')).toMatchObject({ name: 'Acme', plan: 'pro', monthly_spend: 99 });
    const attached = await post(`/contacts/${contact.id}/companies`, { id: company.id });
    expect(attached.status).toBe(200);
    expect(attached.json()).toMatchObject({ company_id: 'acme', user_count: 1 });
    expect((await post(`/contacts/${contact.id}/companies`, { id: 'nope' })).status).toBe(404);
    expect((await post('/contacts/nope/companies', { id: company.id })).status).toBe(404);
  });

  it('answers 429 past the per-minute limit, with the reset as an epoch second', async () => {
    const limited = await new IntercomEmulator({ accessToken: token, ratePerMinute: 2 }).start();
    try {
      const statuses = [];
      let last;
      for (let i = 0; i < 3; i++) {
        last = await send(
          `${limited.baseUrl}/contacts/search`,
          json({ query: { field: 'email', operator: '=', value: 'x' } }, auth),
        );
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(last?.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      expect(last?.headers['x-ratelimit-remaining']).toBe('0');
    } finally {
      await limited.close();
    }
  });
});

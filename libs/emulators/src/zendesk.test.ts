import { ZendeskEmulator } from './index';
import { basic, json, send } from './test-http';

const agentEmail = 'admin@acme.test';
const apiToken = 'zd-token';
const auth = { authorization: basic(`${agentEmail}/token`, apiToken) };

describe('ZendeskEmulator', () => {
  let api: ZendeskEmulator;
  beforeAll(async () => {
    api = await new ZendeskEmulator({
      agentEmail,
      apiToken,
      userFields: [
        { key: 'plan', type: 'text', title: 'Plan' },
        { key: 'seats', type: 'integer', title: 'Seats' },
      ],
      ratePerMinute: 40,
    }).start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  const post = (path: string, body: unknown, h: Record<string, string> = auth) =>
    send(`${api.baseUrl}${path}`, json(body, h));
  const upsertUser = (user: Record<string, unknown>) => post('/api/v2/users/create_or_update', { user });

  it('creates a user (201 + Location), then updates it matched by external_id in any case (200)', async () => {
    const created = await upsertUser({
      name: 'Ann',
      email: 'ann@example.com',
      external_id: 'U-1',
      user_fields: { plan: 'pro', other: 1 },
    });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toMatch(/\/api\/v2\/users\/\d+\.json$/);
    const updated = await upsertUser({ external_id: 'u-1', user_fields: { seats: 3 } });
    expect(updated.status).toBe(200);
    expect(api.userBy('email', 'ann@example.com')?.custom).toEqual({ plan: 'pro', seats: 3 });
    expect(api.ignoredFields).toEqual(['other']);
  });

  it.each([
    ['a new user without a name', { email: 'x@example.com' }, 'name'],
    ['a malformed email', { name: 'X', email: 'x@' }, 'email'],
    [
      'a text value in an integer field',
      { name: 'X', external_id: 'u-9', user_fields: { seats: '3' } },
      'user_fields.seats',
    ],
  ])('refuses %s with 422 RecordInvalid', async (_name, user, attribute) => {
    const answer = await upsertUser(user);
    expect(answer.status).toBe(422);
    expect(answer.json()).toMatchObject({ error: 'RecordInvalid', details: { [attribute]: [{}] } });
  });

  it('an email of another user is a DuplicateValue', async () => {
    await upsertUser({ name: 'A', email: 'a@example.com' });
    await upsertUser({ name: 'B', external_id: 'b' });
    const answer = await upsertUser({ external_id: 'b', email: 'a@example.com' });
    expect(answer.json()).toMatchObject({ details: { email: [{ error: 'DuplicateValue' }] } });
  });

  it('organizations match by external_id, never by name; a taken name on create is refused; memberships', async () => {
    const org = (organization: Record<string, unknown>) =>
      post('/api/v2/organizations/create_or_update', { organization });
    expect((await org({ name: 'Acme', external_id: 'acme' })).status).toBe(201);
    expect((await org({ name: 'Acme Inc', external_id: 'ACME' })).status).toBe(200);
    expect((await org({ name: 'acme inc', external_id: 'other' })).json()).toMatchObject({
      details: { name: [{ error: 'DuplicateValue' }] },
    });
    await upsertUser({ name: 'Ann', external_id: 'u-1' });
    const search = await send(`${api.baseUrl}/api/v2/users/search.json?external_id=u-1`, {
      method: 'GET',
      headers: auth,
    });
    const [user] = (search.json() as { users: { id: number }[] }).users;
    const membership = {
      organization_membership: { user_id: user?.id, organization_id: api.organizationBy('acme')?.id },
    };
    expect((await post('/api/v2/organization_memberships', membership)).status).toBe(201);
    expect((await post('/api/v2/organization_memberships', membership)).status).toBe(422);
  });

  it('wrong credentials are 401; past the plan’s per-minute limit, 429 with Retry-After', async () => {
    const denied = await post(
      '/api/v2/users/create_or_update',
      { user: { name: 'X' } },
      { authorization: basic(agentEmail, apiToken) },
    );
    expect(denied.status).toBe(401);
    expect(denied.json()).toEqual({ error: "Couldn't authenticate you" });
    // 40 a minute: within 90 requests one is refused, even across a minute boundary.
    let last;
    for (let i = 0; i < 90 && last?.status !== 429; i++) {
      last = await send(`${api.baseUrl}/api/v2/user_fields`, { method: 'GET', headers: auth });
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('create_or_update_many: 1–100 users, a queued job, then its status lists each result in order', async () => {
    await upsertUser({ name: 'Old', external_id: 'u-2' });
    const users = [
      { name: 'One', external_id: 'u-1' },
      { external_id: 'u-2', user_fields: { plan: 'pro' } },
      { external_id: 'u-3' },
    ];
    const queued = await post('/api/v2/users/create_or_update_many', { users });
    expect(queued.status).toBe(200);
    const job = (queued.json() as { job_status: { id: string; status: string; results: unknown } }).job_status;
    expect(job).toMatchObject({ status: 'queued', results: null });
    const read = await send(`${api.baseUrl}/api/v2/job_statuses/${job.id}.json`, { method: 'GET', headers: auth });
    expect(read.json()).toMatchObject({
      job_status: {
        status: 'completed',
        total: 3,
        results: [
          { index: 0, status: 'Created' },
          { index: 1, status: 'Updated' },
          { index: 2, status: 'Failed', error: 'RecordInvalid', details: 'Name: cannot be blank' },
        ],
      },
    });
    expect(api.userBy('external_id', 'u-2')?.custom).toEqual({ plan: 'pro' });
    const tooMany = Array.from({ length: 101 }, (_v, i) => ({ name: `N${i}`, external_id: `n-${i}` }));
    expect((await post('/api/v2/users/create_or_update_many', { users: tooMany })).status).toBe(400);
    expect((await send(`${api.baseUrl}/api/v2/job_statuses/nope`, { method: 'GET', headers: auth })).status).toBe(404);
  });
});

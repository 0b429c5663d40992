import { HubspotEmulator } from './hubspot';
import { form, json, send } from './test-http';

const CLIENT = { clientId: 'client-1', clientSecret: 'client-secret-1' };
const REDIRECT = 'http://127.0.0.1:3000/oauth/callback';

describe('HubspotEmulator', () => {
  let hs: HubspotEmulator;
  beforeAll(async () => {
    hs = await new HubspotEmulator({
      portalId: '77',
      privateAppTokens: ['pat-1', 'pat-writes-only'],
      privateAppScopes: { 'pat-writes-only': ['crm.objects.contacts.write', 'crm.objects.companies.write'] },
      eventNames: ['pe77_signed_up'],
      burstPer10s: 3,
      oauth: { ...CLIENT, scopes: ['oauth', 'crm.objects.contacts.write'], accessTokenTtlSeconds: 60 },
    }).start();
  });
  afterAll(() => hs.close());
  beforeEach(() => hs.reset());

  /** The authorize page's "Grant access", then the code exchanged: the token answer. */
  async function connect(): Promise<Record<string, unknown>> {
    const query = new URLSearchParams({
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT,
      scope: 'oauth crm.objects.contacts.write',
      state: 'st-1',
      response_type: 'code',
    });
    const page = await send(`${hs.baseUrl}/oauth/authorize?${query}`, { method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Grant access');
    const granted = await send(
      `${hs.baseUrl}/oauth/authorize`,
      form({ ...Object.fromEntries(query), decision: 'allow' }),
    );
    expect(granted.status).toBe(302);
    const back = new URL(String(granted.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-1');
    const exchange = {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code'),
      redirect_uri: REDIRECT,
      ...{ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
    };
    const answer = await send(`${hs.baseUrl}/oauth/token`, form(exchange));
    expect(answer.status).toBe(200);
    // A code works once.
    expect((await send(`${hs.baseUrl}/oauth/token`, form(exchange))).status).toBe(400);
    return answer.json() as Record<string, unknown>;
  }

  const contact = (token: string) =>
    send(
      `${hs.baseUrl}/crm/v3/objects/contacts/batch/upsert`,
      json(
        { inputs: [{ idProperty: 'email', id: 'a@b.co', properties: { plan: 'pro' } }] },
        { authorization: `Bearer ${token}` },
      ),
    );

  it('authorization code → tokens; access tokens work until they expire; refresh gives a new one; revocation → invalid_grant', async () => {
    const tokens = await connect();
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 60, refresh_token: expect.any(String) });
    expect((await contact(String(tokens['access_token']))).status).toBe(200);
    hs.oauth?.expireAccessTokens();
    const expired = await contact(String(tokens['access_token']));
    expect(expired.status).toBe(401);
    expect(expired.json()).toMatchObject({ status: 'error', category: 'EXPIRED_AUTHENTICATION' });
    const refresh = form({
      grant_type: 'refresh_token',
      refresh_token: tokens['refresh_token'],
      ...{ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
    });
    const refreshed = await send(`${hs.baseUrl}/oauth/token`, refresh);
    expect(refreshed.status).toBe(200);
    expect((await contact(String((refreshed.json() as Record<string, unknown>)['access_token']))).status).toBe(200);
    expect(hs.oauth?.refreshCount()).toBe(1);
    hs.oauth?.revokeAll();
    const revoked = await send(`${hs.baseUrl}/oauth/token`, refresh);
    expect(revoked.status).toBe(400);
    expect(revoked.json()).toMatchObject({ error: 'invalid_grant' });
    const wrongClient = await send(
      `${hs.baseUrl}/oauth/token`,
      form({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'client-1', client_secret: 'nope' }),
    );
    expect(wrongClient.status).toBe(401);
  });

  it('a denied consent redirects with error=access_denied', async () => {
    const params = {
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT,
      scope: 'oauth',
      state: 's',
      response_type: 'code',
      decision: 'deny',
    };
    const denied = await send(`${hs.baseUrl}/oauth/authorize`, form(params));
    expect(new URL(String(denied.headers.location)).searchParams.get('error')).toBe('access_denied');
  });

  it('contacts: unknown token 401; duplicate ids 400; a bad email refused alone in a 207', async () => {
    expect((await contact('pat-unknown')).json()).toMatchObject({ category: 'INVALID_AUTHENTICATION' });
    const auth = { authorization: 'Bearer pat-1' };
    const dup = await send(
      `${hs.baseUrl}/crm/v3/objects/contacts/batch/upsert`,
      json(
        {
          inputs: [
            { idProperty: 'email', id: 'a@b.co' },
            { idProperty: 'email', id: 'a@b.co' },
          ],
        },
        auth,
      ),
    );
    expect(dup.status).toBe(400);
    expect(dup.json()).toMatchObject({
      category: 'VALIDATION_ERROR',
      message: expect.stringContaining('Duplicate IDs'),
    });
    const partial = await send(
      `${hs.baseUrl}/crm/v3/objects/contacts/batch/upsert`,
      json(
        {
          inputs: [
            { idProperty: 'email', id: 'a@b.co' },
            { idProperty: 'email', id: 'nope' },
          ],
        },
        auth,
      ),
    );
    expect(partial.status).toBe(207);
    expect(partial.json()).toMatchObject({ numErrors: 1, errors: [{ context: { ids: ['nope'] } }] });
    expect([...hs.contacts.keys()]).toEqual(['a@b.co']);
  });

  it('a token with listed scopes: calls needing one it lacks are 403 MISSING_SCOPES, naming the scopes', async () => {
    const auth = { authorization: 'Bearer pat-writes-only' };
    const upsert = await send(
      `${hs.baseUrl}/crm/v3/objects/contacts/batch/upsert`,
      json({ inputs: [{ idProperty: 'email', id: 'a@b.co', properties: {} }] }, auth),
    );
    expect(upsert.status).toBe(200);
    const read = await send(
      `${hs.baseUrl}/crm/v3/objects/contacts/batch/read`,
      json({ idProperty: 'email', properties: ['email'], inputs: [{ id: 'a@b.co' }] }, auth),
    );
    expect(read.status).toBe(403);
    expect(read.json()).toMatchObject({
      category: 'MISSING_SCOPES',
      errors: [{ context: { requiredGranularScopes: ['crm.objects.contacts.read'] } }],
    });
    // A token without a scope list (pat-1) reads.
    const unrestricted = await send(
      `${hs.baseUrl}/crm/v3/objects/contacts/batch/read`,
      json(
        { idProperty: 'email', properties: ['email'], inputs: [{ id: 'a@b.co' }] },
        { authorization: 'Bearer pat-1' },
      ),
    );
    expect(unrestricted.status).toBe(200);
  });

  it('events: defined names of this portal, a contact, property limits; 204; the 10-second window → 429', async () => {
    const auth = { authorization: 'Bearer pat-1' };
    const post = (body: unknown) => send(`${hs.baseUrl}/events/v3/send`, json(body, auth));
    expect((await post({ eventName: 'pe77_signed_up', email: 'a@b.co', properties: { plan: 'pro' } })).status).toBe(
      204,
    );
    expect((await post({ eventName: 'pe77_other', email: 'a@b.co' })).json()).toMatchObject({
      message: expect.stringContaining('Event definition not found'),
    });
    expect((await post({ eventName: 'pe77_signed_up', properties: {} })).json()).toMatchObject({
      message: expect.stringContaining('One of email, utk or objectId'),
    });
    expect((await post({ eventName: 'pe77_signed_up', email: 'a@b.co' })).json()).toMatchObject({
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    hs.reset();
    expect(
      (await post({ eventName: 'pe77_signed_up', email: 'a@b.co', properties: { note: 'x'.repeat(51) } })).status,
    ).toBe(400);
    expect((await post({ eventName: 'pe77_signed_up', email: 'a@b.co', properties: { Bad: 1 } })).status).toBe(400);
    expect(hs.events).toHaveLength(0);
    expect(hs.requests.map((r) => r.status)).toEqual([400, 400]);
  });

  it('events batch: every occurrence checked as a single send; one invalid fails the whole batch with a 400; 204 records each uuid once', async () => {
    const auth = { authorization: 'Bearer pat-1' };
    const post = (inputs: unknown) => send(`${hs.baseUrl}/events/v3/send/batch`, json({ inputs }, auth));
    const occurrence = (n: number, extra: Record<string, unknown> = {}) => ({
      eventName: 'pe77_signed_up',
      email: `p${n}@b.co`,
      occurredAt: '2026-06-01T11:59:00.000Z',
      uuid: `00000000-0000-4000-8000-00000000000${n}`,
      properties: { n: String(n) },
      ...extra,
    });
    const refused = await post([occurrence(1), occurrence(2, { eventName: 'pe77_other' }), occurrence(3)]);
    expect(refused.status).toBe(400);
    // The whole batch: nothing recorded, and the answer does not say which occurrence it was.
    expect(refused.json()).toMatchObject({
      status: 'error',
      category: 'VALIDATION_ERROR',
      message: expect.stringContaining('Event definition not found'),
    });
    expect(JSON.stringify(refused.json())).not.toMatch(/inputs\[|index/);
    expect(hs.events).toHaveLength(0);
    expect((await post([occurrence(1), occurrence(2, { properties: { Bad: 1 } })])).status).toBe(400);
    expect((await post([occurrence(1), { eventName: 'pe77_signed_up' }])).status).toBe(400);
    hs.reset();

    const taken = await post([occurrence(1), occurrence(2), occurrence(3)]);
    expect(taken.status).toBe(204);
    expect(taken.text).toBe('');
    expect(hs.events.map((e) => e.email)).toEqual(['p1@b.co', 'p2@b.co', 'p3@b.co']);
    // The same uuids again, in a batch or alone: counted once.
    hs.reset();
    expect((await post([occurrence(4), occurrence(4)])).status).toBe(204);
    expect((await send(`${hs.baseUrl}/events/v3/send`, json(occurrence(4), auth))).status).toBe(204);
    expect(hs.events).toHaveLength(1);
    expect(hs.duplicatesIgnored).toBe(2);
  });

  it('events batch: 1 to 500 inputs; event definitions can change while it runs', async () => {
    const auth = { authorization: 'Bearer pat-1' };
    const post = (inputs: unknown) => send(`${hs.baseUrl}/events/v3/send/batch`, json({ inputs }, auth));
    const occurrence = { eventName: 'pe77_later', email: 'a@b.co', properties: {} };
    expect((await post([])).status).toBe(400);
    expect((await post(Array.from({ length: 501 }, () => occurrence))).json()).toMatchObject({
      message: expect.stringContaining('500'),
    });
    expect((await post([occurrence])).status).toBe(400);
    hs.reset();
    hs.defineEvents(['pe77_signed_up', 'pe77_later']);
    try {
      expect((await post(Array.from({ length: 500 }, () => occurrence))).status).toBe(204);
      expect(hs.events).toHaveLength(500);
    } finally {
      hs.defineEvents(['pe77_signed_up']);
    }
  });
});

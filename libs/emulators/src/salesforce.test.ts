import { SalesforceEmulator } from './salesforce';
import { form, json, send } from './test-http';

const CLIENT = { clientId: 'sf-client', clientSecret: 'sf-client-secret' };
const REDIRECT = 'http://127.0.0.1:3000/oauth/callback';
const V = '/services/data/v62.0';

describe('SalesforceEmulator', () => {
  let sf: SalesforceEmulator;
  let token: string;
  beforeAll(async () => {
    sf = await new SalesforceEmulator({
      oauth: { ...CLIENT, scopes: ['api', 'refresh_token'] },
      customFields: { Lead: ['Plan__c'] },
      externalIdFields: { Lead: ['Ext_Id__c'] },
      dailyApiLimit: 1000,
    }).start();
  });
  afterAll(() => sf.close());
  beforeEach(() => {
    sf.reset();
    token = sf.oauth.grant().accessToken;
  });
  const call = (method: string, path: string, body?: unknown, bearer = token) =>
    send(`${sf.baseUrl}${V}${path}`, {
      method,
      ...(body === undefined
        ? { headers: { authorization: `Bearer ${bearer}` } }
        : json(body, { authorization: `Bearer ${bearer}` })),
    });

  it('the web-server flow at /services/oauth2: the token answer names the instance URL', async () => {
    const query = new URLSearchParams({
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT,
      scope: 'api refresh_token',
      state: 's',
      response_type: 'code',
    });
    const granted = await send(
      `${sf.baseUrl}/services/oauth2/authorize`,
      form({ ...Object.fromEntries(query), decision: 'allow' }),
    );
    const code = new URL(String(granted.headers.location)).searchParams.get('code');
    const answer = await send(
      `${sf.baseUrl}/services/oauth2/token`,
      form({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        ...{ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
      }),
    );
    expect(answer.json()).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      instance_url: sf.baseUrl,
      token_type: 'bearer',
    });
  });

  it('401 INVALID_SESSION_ID for an expired or unknown token, in the error array shape', async () => {
    expect(
      (await call('GET', `/query?q=${encodeURIComponent("SELECT Id FROM Lead WHERE Email = 'a@b.co'")}`)).status,
    ).toBe(200);
    sf.oauth.expireAccessTokens();
    const expired = await call('POST', '/sobjects/Lead', { LastName: 'L', Company: 'C' });
    expect(expired.status).toBe(401);
    expect(expired.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID', fields: [] },
    ]);
    expect((await call('POST', '/sobjects/Lead', {}, 'made-up')).status).toBe(401);
  });

  it('create: required fields, known fields, valid emails; each refusal an array entry', async () => {
    const missing = await call('POST', '/sobjects/Lead', { Email: 'a@b.co' });
    expect(missing.status).toBe(400);
    expect(missing.json()).toEqual([
      {
        message: 'Required fields are missing: [LastName, Company]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['LastName', 'Company'],
      },
    ]);
    const unknown = await call('POST', '/sobjects/Lead', { LastName: 'L', Company: 'C', plan: 'x', Email: 'nope' });
    expect((unknown.json() as { errorCode: string }[]).map((e) => e.errorCode)).toEqual([
      'INVALID_FIELD',
      'INVALID_EMAIL_ADDRESS',
    ]);
    const created = await call('POST', '/sobjects/Lead', { LastName: 'L', Company: 'C', Plan__c: 'pro' });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ id: expect.stringMatching(/^00Q/), success: true, errors: [] });
    expect(created.headers['sforce-limit-info']).toMatch(/^api-usage=\d+\/1000$/);
  });

  it('upsert by external id: 201 created, 200 updated, 300 when several match; the field not repeated in the body', async () => {
    const first = await call('PATCH', '/sobjects/Lead/Ext_Id__c/u-1', { LastName: 'L', Company: 'C' });
    expect([first.status, first.json()]).toEqual([201, expect.objectContaining({ created: true })]);
    const again = await call('PATCH', '/sobjects/Lead/Ext_Id__c/u-1', { Title: 'CTO' });
    expect([again.status, again.json()]).toEqual([200, expect.objectContaining({ created: false })]);
    expect(sf.find('Lead', 'Ext_Id__c', 'u-1')[0]?.fields).toEqual({
      LastName: 'L',
      Company: 'C',
      Title: 'CTO',
      Ext_Id__c: 'u-1',
    });
    const repeated = await call('PATCH', '/sobjects/Lead/Ext_Id__c/u-2', {
      LastName: 'L',
      Company: 'C',
      Ext_Id__c: 'u-2',
    });
    expect(repeated.status).toBe(400);
    expect((await call('PATCH', '/sobjects/Lead/Email/a@b.co', { LastName: 'L' })).status).toBe(404);
    sf.addRecord('Lead', { LastName: 'A', Company: 'C', Ext_Id__c: 'twin' });
    sf.addRecord('Lead', { LastName: 'B', Company: 'C', Ext_Id__c: 'twin' });
    expect((await call('PATCH', '/sobjects/Lead/Ext_Id__c/twin', { Title: 'x' })).status).toBe(300);
  });

  it('collections upsert: up to 200 records of the type in the path, one UpsertResult each, in order', async () => {
    const lead = (ext: string, fields: Record<string, unknown> = {}) => ({
      attributes: { type: 'Lead' },
      Ext_Id__c: ext,
      ...fields,
    });
    sf.addRecord('Lead', { LastName: 'Old', Company: 'C', Ext_Id__c: 'u-2' });
    sf.addRecord('Lead', { LastName: 'A', Company: 'C', Ext_Id__c: 'twin' });
    sf.addRecord('Lead', { LastName: 'B', Company: 'C', Ext_Id__c: 'twin' });
    const answer = await call('PATCH', '/composite/sobjects/Lead/Ext_Id__c', {
      allOrNone: false,
      records: [
        lead('u-1', { LastName: 'New', Company: 'C' }),
        lead('u-2', { Title: 'CTO' }),
        lead('u-3', { Company: 'C' }),
        lead('twin', { Title: 'x' }),
        lead('dup', { LastName: 'D', Company: 'C' }),
        lead('DUP', { LastName: 'E', Company: 'C' }),
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject([
      { success: true, created: true },
      { success: true, created: false },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }] },
      { success: false, errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID' }] },
      { success: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] },
      { success: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] },
    ]);
    expect(sf.find('Lead', 'Ext_Id__c', 'u-2')[0]?.fields).toMatchObject({ LastName: 'Old', Title: 'CTO' });
    expect(sf.find('Lead', 'Ext_Id__c', 'u-3')).toEqual([]);
    // All or none: one refusal rolls the others back.
    const rolled = await call('PATCH', '/composite/sobjects/Lead/Ext_Id__c', {
      allOrNone: true,
      records: [lead('u-4', { LastName: 'L', Company: 'C' }), lead('u-5', { Company: 'C' })],
    });
    expect(rolled.json()).toMatchObject([
      { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }] },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING' }] },
    ]);
    expect(sf.find('Lead', 'Ext_Id__c', 'u-4')).toEqual([]);
    // Not well formed: the whole request.
    const many = Array.from({ length: 201 }, (_, i) => lead(`m-${i}`, { LastName: 'L', Company: 'C' }));
    const tooMany = await call('PATCH', '/composite/sobjects/Lead/Ext_Id__c', { records: many });
    expect([tooMany.status, tooMany.json()]).toEqual([
      400,
      [expect.objectContaining({ errorCode: 'EXCEEDED_ID_LIMIT' })],
    ]);
    const untyped = await call('PATCH', '/composite/sobjects/Lead/Ext_Id__c', {
      records: [{ Ext_Id__c: 'x', LastName: 'L' }],
    });
    expect(untyped.status).toBe(400);
    const otherType = await call('PATCH', '/composite/sobjects/Lead/Ext_Id__c', {
      records: [{ attributes: { type: 'Contact' }, Ext_Id__c: 'x', LastName: 'L' }],
    });
    expect(otherType.status).toBe(400);
    expect((await call('PATCH', '/composite/sobjects/Lead/Email', { records: [lead('x')] })).status).toBe(404);
  });

  it('SOQL: the simple lookup (escaped quotes, case-insensitive text); anything else MALFORMED_QUERY; unknown versions 404', async () => {
    sf.addRecord('Lead', { LastName: "O'Neil", Company: 'C', Email: "O'Neil@B.co" });
    const q = (soql: string) => call('GET', `/query?${new URLSearchParams({ q: soql }).toString()}`);
    const found = await q("SELECT Id FROM Lead WHERE Email = 'o\\'neil@b.co' LIMIT 2");
    expect(found.json()).toMatchObject({ totalSize: 1, done: true, records: [{ Id: expect.stringMatching(/^00Q/) }] });
    expect((await q('SELECT Id, Name FROM Lead')).json()).toMatchObject([{ errorCode: 'MALFORMED_QUERY' }]);
    expect((await q("SELECT Id FROM Lead WHERE Nope = 'x'")).json()).toMatchObject([{ errorCode: 'INVALID_FIELD' }]);
    expect((await send(`${sf.baseUrl}/services/data/v99.0/query?q=x`, { method: 'GET' })).status).toBe(404);
  });

  it('the daily API allocation: 403 REQUEST_LIMIT_EXCEEDED once used up', async () => {
    const small = await new SalesforceEmulator({ oauth: CLIENT, dailyApiLimit: 1 }).start();
    try {
      const t = small.oauth.grant().accessToken;
      const create = () =>
        send(`${small.baseUrl}${V}/sobjects/Account`, json({ Name: 'A' }, { authorization: `Bearer ${t}` }));
      expect((await create()).status).toBe(201);
      const limited = await create();
      expect([limited.status, limited.json()]).toEqual([
        403,
        [expect.objectContaining({ errorCode: 'REQUEST_LIMIT_EXCEEDED' })],
      ]);
    } finally {
      await small.close();
    }
  });
});

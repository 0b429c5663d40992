import { MixpanelEmulator } from './index';
import { basic, form, json, send } from './test-http';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const token = 'tok123';
const secret = 'sec456';

const goodEvent = (overrides: Record<string, unknown> = {}) => ({
  event: 'Signed Up',
  properties: { time: NOW - 1000, distinct_id: 'u-1', $insert_id: 'abc-123', plan: 'pro', ...overrides },
});

describe('MixpanelEmulator', () => {
  let mp: MixpanelEmulator;
  beforeAll(async () => {
    mp = await new MixpanelEmulator({ projectToken: token, apiSecret: secret, now: () => NOW }).start();
  });
  afterAll(() => mp.close());
  beforeEach(() => mp.reset());

  const importUrl = () => `${mp.baseUrl}/import?strict=1`;

  it('imports valid events with the secret or the token as Basic username', async () => {
    const bySecret = await send(importUrl(), json([goodEvent()], { authorization: basic(secret) }));
    expect(bySecret.status).toBe(200);
    expect(bySecret.json()).toEqual({ code: 200, num_records_imported: 1, status: 'OK' });
    const byToken = await send(
      importUrl(),
      json([goodEvent({ time: Math.floor(NOW / 1000) })], { authorization: basic(token) }),
    );
    expect(byToken.status).toBe(200);
    expect(mp.events).toHaveLength(2);
  });

  it('collapses duplicates on (event, time, distinct_id, $insert_id)', async () => {
    await send(
      importUrl(),
      json([goodEvent(), goodEvent(), goodEvent({ $insert_id: 'other' })], { authorization: basic(secret) }),
    );
    expect(mp.events).toHaveLength(3);
    expect(mp.uniqueEvents()).toHaveLength(2);
  });

  it.each([
    ['no auth', {}, 401],
    ['a wrong secret', { authorization: basic('nope') }, 401],
    ['a password', { authorization: basic(secret, 'x') }, 401],
  ])('refuses /import with %s', async (_name, headers, status) => {
    const response = await send(importUrl(), json([goodEvent()], headers));
    expect(response.status).toBe(status);
    expect(response.json()).toEqual({ code: 401, error: 'Invalid credentials', status: 'Unauthorized' });
  });

  it.each([
    ['time in the far future', goodEvent({ time: NOW + 2 * 3_600_000 }), 'properties.time'],
    ['time as an ISO string', goodEvent({ time: '2026-06-01T00:00:00Z' }), 'properties.time'],
    ['time before 1971', goodEvent({ time: 1000 }), 'properties.time'],
    ['a blocklisted distinct_id', goodEvent({ distinct_id: 'undefined' }), 'properties.distinct_id'],
    ['a missing distinct_id', goodEvent({ distinct_id: undefined }), 'properties.distinct_id'],
    ['an $insert_id over 36 bytes', goodEvent({ $insert_id: 'x'.repeat(37) }), 'properties.$insert_id'],
    ['an $insert_id with other characters', goodEvent({ $insert_id: 'ajs:123' }), 'properties.$insert_id'],
    ['no event name', { properties: goodEvent().properties }, 'event'],
    ['objects nested 4 deep', goodEvent({ a: { b: { c: { d: 1 } } } }), 'properties.a.b.c'],
  ])('strict mode rejects %s, imports the rest (partial 400)', async (_name, bad, field) => {
    const response = await send(importUrl(), json([goodEvent(), bad], { authorization: basic(secret) }));
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      code: 400,
      error: 'some data points in the request failed validation',
      num_records_imported: 1,
      failed_records: [{ index: 1, field }],
    });
    expect(mp.events).toHaveLength(1);
  });

  it('refuses oversize and over-count requests and non-JSON bodies', async () => {
    const many = Array.from({ length: 2001 }, (_v, i) => goodEvent({ $insert_id: `id-${i}` }));
    expect((await send(importUrl(), json(many, { authorization: basic(secret) }))).status).toBe(400);
    const small = await new MixpanelEmulator({ projectToken: token, maxImportBytes: 100, now: () => NOW }).start();
    try {
      const response = await send(
        `${small.baseUrl}/import`,
        json([goodEvent(), goodEvent()], { authorization: basic(token) }),
      );
      expect(response.status).toBe(413);
      expect(response.json()).toMatchObject({ error: 'request exceeds max limit of 100 bytes' });
    } finally {
      await small.close();
    }
    expect(
      (await send(importUrl(), { headers: { 'content-type': 'text/plain', authorization: basic(secret) }, body: '[]' }))
        .status,
    ).toBe(400);
  });

  it('/track takes form data with the token inside, answering 1/0 or verbose JSON', async () => {
    const identify = { event: '$identify', properties: { $identified_id: 'u-1', $anon_id: 'a-1', token } };
    expect((await send(`${mp.baseUrl}/track`, form({ data: identify }))).text).toBe('1');
    const wrongToken = { ...identify, properties: { ...identify.properties, token: 'nope' } };
    expect((await send(`${mp.baseUrl}/track`, form({ data: wrongToken }))).text).toBe('0');
    const verbose = await send(`${mp.baseUrl}/track?verbose=1`, form({ data: wrongToken }));
    expect(verbose.json()).toEqual({ status: 0, error: 'token, missing or invalid' });
    const old = { event: 'x', properties: { token, time: Math.floor(NOW / 1000) - 6 * 86400 } };
    expect((await send(`${mp.baseUrl}/track?verbose=1`, form({ data: old }))).json()).toMatchObject({ status: 0 });
    expect(mp.events).toHaveLength(1);
  });

  it('/engage takes exactly one operation per update, with $token and $distinct_id', async () => {
    const ok = { $token: token, $distinct_id: 'u-1', $set: { $email: 'a@b.c' } };
    expect((await send(`${mp.baseUrl}/engage?verbose=1`, form({ data: [ok] }))).json()).toEqual({
      status: 1,
      error: null,
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ $token: token, $distinct_id: 'u-1', $set: { a: 1 }, $set_once: { b: 1 } }, 'exactly one operation'],
      [{ $token: token, $distinct_id: 'u-1' }, 'exactly one operation'],
      [{ $token: 'x', $distinct_id: 'u-1', $set: { a: 1 } }, '$token'],
      [{ $token: token, $set: { a: 1 } }, '$distinct_id'],
      [{ $token: token, $distinct_id: 'u-1', $set: {} }, 'non-empty object'],
      [{ $token: token, $distinct_id: 'u-1', $add: { n: 'x' } }, '$add takes numbers'],
    ];
    for (const [update, message] of cases) {
      const response = await send(`${mp.baseUrl}/engage?verbose=1`, form({ data: update }));
      expect(response.json()).toMatchObject({ status: 0, error: expect.stringContaining(message) });
    }
    expect(mp.profileUpdates).toEqual([ok]);
  });

  it('/groups needs $group_key and $group_id', async () => {
    const ok = { $token: token, $group_key: 'company', $group_id: 'g-1', $set: { $name: 'Acme' } };
    expect((await send(`${mp.baseUrl}/groups`, form({ data: ok }))).text).toBe('1');
    expect((await send(`${mp.baseUrl}/groups`, form({ data: { ...ok, $group_key: '' } }))).text).toBe('0');
    expect(mp.groupUpdates).toEqual([ok]);
  });
});

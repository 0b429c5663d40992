import { gzipSync } from 'node:zlib';
import { decodeEventMessage, EVENT_HEADERS } from '@manifold/events';
import { requireKafka, testInfrastructure } from '@manifold/testing';
import {
  basicAuth,
  DISABLED_WRITE_KEY,
  parseValue,
  readTopic,
  SOURCE_ID,
  startTestIngestion,
  WORKSPACE_ID,
  WRITE_KEY,
  type TestIngestion,
} from './test-support/harness';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function post(
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; raw?: Buffer | string } = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

describe('the Tracking API', () => {
  let ingestion: TestIngestion;
  /** messageIds answered 200: each must be in Kafka at the end. */
  const accepted = new Set<string>();

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    ingestion = await startTestIngestion();
  });

  afterAll(async () => {
    await ingestion?.close();
  });

  const url = (path: string) => `${ingestion.url}${path}`;

  it('accepts a track call with the write key as Basic auth and stores it enriched', async () => {
    const answer = await post(
      url('/v1/track'),
      {
        userId: 'user-1',
        event: 'Signed Up',
        properties: { plan: 'pro' },
        messageId: 'msg-track-1',
        timestamp: '2026-01-01T10:00:00.000Z',
        sentAt: '2026-01-01T10:00:05.000Z',
        context: { library: { name: 'curl' } },
      },
      // No proxy is trusted here, so a forwarded address must not become context.ip.
      { headers: { authorization: basicAuth(WRITE_KEY), 'x-forwarded-for': '203.0.113.9' } },
    );
    expect(answer).toMatchObject({ status: 200, body: { success: true } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    accepted.add('msg-track-1');
  });

  it('takes the write key from Basic auth without the colon, from the body, and from the first batch item', async () => {
    const noColon = await post(
      url('/v1/identify'),
      { userId: 'user-2', traits: { email: 'a@b.c' }, messageId: 'msg-identify-nocolon' },
      { headers: { authorization: basicAuth(WRITE_KEY, false) } },
    );
    const inBody = await post(url('/v1/p'), {
      writeKey: WRITE_KEY,
      anonymousId: 'anon-1',
      name: 'Home',
      messageId: 'msg-page-body',
    });
    const inItem = await post(url('/v1/b'), {
      batch: [{ type: 'screen', anonymousId: 'anon-2', writeKey: WRITE_KEY, messageId: 'msg-screen-item' }],
    });
    expect([noColon.status, inBody.status, inItem.status]).toEqual([200, 200, 200]);
    for (const id of ['msg-identify-nocolon', 'msg-page-body', 'msg-screen-item']) accepted.add(id);
  });

  it('stores no copy of the write key, wherever the body carried it', async () => {
    // A single call whose key is read from a batch field's first item (as for a batch) keeps that
    // field as a property of the event: the key must not travel with it.
    const nested = await post(url('/v1/track'), {
      userId: 'u',
      event: 'Nested Key',
      batch: [{ writeKey: WRITE_KEY, note: 'kept' }],
      messageId: 'msg-nested-key',
    });
    const inEveryItem = await post(url('/v1/batch'), {
      writeKey: WRITE_KEY,
      batch: [
        { type: 'track', userId: 'u', event: 'First', writeKey: WRITE_KEY, messageId: 'msg-key-item-1' },
        { type: 'track', userId: 'u', event: 'Second', writeKey: WRITE_KEY, messageId: 'msg-key-item-2' },
      ],
    });
    expect([nested.status, inEveryItem.status]).toEqual([200, 200]);
    for (const id of ['msg-nested-key', 'msg-key-item-1', 'msg-key-item-2']) accepted.add(id);
  });

  it('parses JSON sent as text/plain and gzip bodies', async () => {
    const plain = await post(url('/v1/t'), null, {
      headers: { 'content-type': 'text/plain' },
      raw: JSON.stringify({ writeKey: WRITE_KEY, userId: 'u', event: 'Plain', messageId: 'msg-plain' }),
    });
    const gzipped = await post(url('/v1/batch'), null, {
      headers: { 'content-encoding': 'gzip', authorization: basicAuth(WRITE_KEY) },
      raw: gzipSync(
        JSON.stringify({
          batch: [
            { type: 'group', userId: 'u', groupId: 'g-1', traits: { name: 'Acme' }, messageId: 'msg-gz-group' },
            { type: 'alias', userId: 'u', previousId: 'anon-1', messageId: 'msg-gz-alias' },
          ],
        }),
      ),
    });
    const withBom = await post(url('/v1/identify'), null, {
      raw: Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(JSON.stringify({ writeKey: WRITE_KEY, userId: 'u', messageId: 'msg-bom' })),
      ]),
    });
    expect([plain.status, gzipped.status, withBom.status]).toEqual([200, 200, 200]);
    for (const id of ['msg-plain', 'msg-gz-group', 'msg-gz-alias', 'msg-bom']) accepted.add(id);
  });

  it('answers CORS preflights for browsers that send Authorization', async () => {
    const res = await fetch(url('/v1/t'), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it.each([
    ['no write key', '/v1/track', { userId: 'u', event: 'E' }, {}, 401, 'unknown_source'],
    ['an unknown write key', '/v1/track', { userId: 'u', event: 'E', writeKey: 'nope' }, {}, 401, 'unknown_source'],
    [
      'a disabled source',
      '/v1/track',
      { userId: 'u', event: 'E' },
      { authorization: basicAuth(DISABLED_WRITE_KEY) },
      403,
      'source_disabled',
    ],
    ['no user or anonymous id', '/v1/track', { event: 'E', writeKey: WRITE_KEY }, {}, 400, 'no_user_anon_id'],
    ['a numeric userId', '/v1/identify', { userId: 42, writeKey: WRITE_KEY }, {}, 400, 'id_not_string'],
    ['a track without event', '/v1/track', { userId: 'u', writeKey: WRITE_KEY }, {}, 400, 'event_not_defined'],
    ['a non-string event', '/v1/track', { userId: 'u', event: 7, writeKey: WRITE_KEY }, {}, 400, 'event_not_string'],
    [
      'traits that are not an object',
      '/v1/identify',
      { userId: 'u', traits: 'vip', writeKey: WRITE_KEY },
      {},
      400,
      'traits_not_object',
    ],
    [
      'properties that are not an object',
      '/v1/track',
      { userId: 'u', event: 'E', properties: [1], writeKey: WRITE_KEY },
      {},
      400,
      'properties_not_object',
    ],
    ['an empty page name', '/v1/page', { userId: 'u', name: '', writeKey: WRITE_KEY }, {}, 400, 'name_not_string'],
    [
      'a non-string screen category',
      '/v1/screen',
      { userId: 'u', category: 3, writeKey: WRITE_KEY },
      {},
      400,
      'category_not_string',
    ],
    ['a group without groupId', '/v1/group', { userId: 'u', writeKey: WRITE_KEY }, {}, 400, 'id_required'],
    ['an alias without previousId', '/v1/alias', { userId: 'u', writeKey: WRITE_KEY }, {}, 400, 'id_required'],
    [
      'a bad timestamp',
      '/v1/track',
      { userId: 'u', event: 'E', timestamp: 'soon', writeKey: WRITE_KEY },
      {},
      400,
      'bad_request',
    ],
    ['a batch that is not an array', '/v1/batch', { batch: {}, writeKey: WRITE_KEY }, {}, 400, 'bad_request'],
    ['an empty batch', '/v1/batch', { batch: [], writeKey: WRITE_KEY }, {}, 400, 'empty_batch'],
  ])('refuses %s', async (_name, path, body, headers, status, code) => {
    const answer = await post(url(path), body, { headers });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ success: false, code });
    expect(typeof answer.body['message']).toBe('string');
  });

  it('refuses bodies that are not JSON objects', async () => {
    const broken = await post(url('/v1/track'), null, { raw: '{"userId": ' });
    const array = await post(url('/v1/track'), [1, 2]);
    const badGzip = await post(url('/v1/track'), null, {
      headers: { 'content-encoding': 'gzip' },
      raw: 'not gzip at all',
    });
    for (const answer of [broken, array, badGzip]) {
      expect(answer.status).toBe(400);
      expect(answer.body['code']).toBe('bad_request');
    }
    expect(broken.body['message']).toContain('not valid JSON');
  });

  it('refuses calls over 32 KB, batches over 500 KB or 2,500 items, even when gzip hides the size', async () => {
    const big = 'x'.repeat(33 * 1024);
    const single = await post(url('/v1/track'), { writeKey: WRITE_KEY, userId: 'u', event: 'E', properties: { big } });
    const bigBatch = await post(url('/v1/batch'), {
      writeKey: WRITE_KEY,
      batch: Array.from({ length: 20 }, () => ({
        type: 'track',
        userId: 'u',
        event: 'E',
        properties: { p: 'y'.repeat(30000) },
      })),
    });
    const manyItems = await post(url('/v1/batch'), {
      writeKey: WRITE_KEY,
      batch: Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'E' })),
    });
    const gzipBomb = await post(url('/v1/track'), null, {
      headers: { 'content-encoding': 'gzip', authorization: basicAuth(WRITE_KEY) },
      raw: gzipSync(JSON.stringify({ userId: 'u', event: 'E', properties: { big } })),
    });
    for (const answer of [single, bigBatch, manyItems, gzipBomb]) {
      expect(answer.status).toBe(400);
      expect(answer.body['code']).toBe('bad_request');
    }
    expect(single.body['message']).toContain('32 KB');
    expect(bigBatch.body['message']).toContain('500 KB');
    expect(manyItems.body['message']).toContain('2,500');
  });

  it('accepts the good items of a batch and lists each rejected index with its reason', async () => {
    const answer = await post(url('/v1/batch'), {
      writeKey: WRITE_KEY,
      batch: [
        { type: 'track', userId: 'u', event: 'Good', messageId: 'msg-partial-0' },
        { type: 'track', userId: 'u' },
        { type: 'identify', userId: 'u', messageId: 'msg-partial-2' },
        { type: 'bogus', userId: 'u' },
        { type: 'page', properties: {} },
        { type: 'track', userId: 'u', event: 'Huge', properties: { big: 'z'.repeat(33 * 1024) } },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, code: 'multi_user_error' });
    expect((answer.body['rejected'] as Array<{ index: number; code: string }>).map((r) => [r.index, r.code])).toEqual([
      [1, 'event_not_defined'],
      [3, 'bad_request'],
      [4, 'no_user_anon_id'],
      [5, 'bad_request'],
    ]);
    accepted.add('msg-partial-0');
    accepted.add('msg-partial-2');

    const allBad = await post(url('/v1/batch'), { writeKey: WRITE_KEY, batch: [{ type: 'track', userId: 'u' }] });
    expect(allBad.status).toBe(400);
    expect(allBad.body).toMatchObject({
      code: 'empty_batch_result',
      rejected: [{ index: 0, code: 'event_not_defined' }],
    });
  });

  it('refuses with 400 a call nested too deeply or timed outside the years 0001 to 9999', async () => {
    const deepArrays = `{"userId":"u","event":"E","properties":{"p":${'['.repeat(16000)}${']'.repeat(16000)}}}`;
    const deepObjects = {
      userId: 'u',
      event: 'E',
      properties: JSON.parse(`${'{"a":'.repeat(101)}1${'}'.repeat(101)}`),
    };
    const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
    const answers = [
      await post(url('/v1/track'), null, { headers: { authorization: basicAuth(WRITE_KEY) }, raw: deepArrays }),
      await post(url('/v1/track'), deepObjects, { headers: { authorization: basicAuth(WRITE_KEY) } }),
      // JavaScript's last representable day, sent a moment ago: the skew correction passes it.
      await post(url('/v1/track'), {
        writeKey: WRITE_KEY,
        userId: 'u',
        event: 'E',
        timestamp: '+275760-09-13T00:00:00.000Z',
        sentAt: inSeconds(-2),
      }),
      await post(url('/v1/track'), {
        writeKey: WRITE_KEY,
        userId: 'u',
        event: 'E',
        timestamp: '-271821-04-20T00:00:00.000Z',
        sentAt: inSeconds(3600),
      }),
      await post(url('/v1/identify'), { writeKey: WRITE_KEY, userId: 'u', timestamp: '10000-01-01T00:00:00Z' }),
      // Each valid, but 9,998 years apart: the corrected timestamp is not.
      await post(url('/v1/identify'), {
        writeKey: WRITE_KEY,
        userId: 'u',
        timestamp: '0001-01-01T00:00:00Z',
        sentAt: '9999-01-01T00:00:00Z',
      }),
    ];
    expect(answers.map((a) => [a.status, a.body['code']])).toEqual(Array(6).fill([400, 'bad_request']));
    expect(answers[0]?.body['message']).toContain('more than 100 levels deep');
    expect(answers[1]?.body['message']).toContain('more than 100 levels deep');
    expect(answers[2]?.body['message']).toContain('years 0001 to 9999');
    expect(answers[5]?.body['message']).toContain('too far apart');

    // 100 levels, the limit, are taken.
    const atLimit = await post(url('/v1/track'), {
      writeKey: WRITE_KEY,
      userId: 'u',
      event: 'E',
      messageId: 'msg-deep-100',
      // The call, properties, then 98 more.
      properties: JSON.parse(`${'{"a":'.repeat(98)}1${'}'.repeat(98)}`),
    });
    expect(atLimit.status).toBe(200);
    accepted.add('msg-deep-100');
  });

  it('rejects only the bad items of a batch for nesting and timestamps, and a batch context too deep for any', async () => {
    // Deeper than JSON.stringify can write: the body is put together as text.
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const body = JSON.stringify({
      writeKey: WRITE_KEY,
      sentAt: new Date().toISOString(),
      batch: [
        { type: 'track', userId: 'u', event: 'Fine', messageId: 'msg-edge-0' },
        { type: 'track', userId: 'u', event: 'Deep', properties: { p: 'DEEP' } },
        { type: 'track', userId: 'u', event: 'Late', timestamp: '+275760-09-13T00:00:00.000Z' },
        'DEEP',
        { type: 'identify', userId: 'u', timestamp: '2026-01-01T00:00:00Z', messageId: 'msg-edge-4' },
      ],
    }).replaceAll('"DEEP"', deep);
    const answer = await post(url('/v1/batch'), null, { raw: body });
    expect(answer.status).toBe(200);
    expect((answer.body['rejected'] as Array<{ index: number; code: string }>).map((r) => [r.index, r.code])).toEqual([
      [1, 'bad_request'],
      [2, 'bad_request'],
      [3, 'bad_request'],
    ]);
    accepted.add('msg-edge-0');
    accepted.add('msg-edge-4');

    const deepContext = await post(url('/v1/batch'), {
      writeKey: WRITE_KEY,
      context: JSON.parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`),
      batch: [{ type: 'track', userId: 'u', event: 'E' }],
    });
    expect(deepContext).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(deepContext.body['message']).toContain("the batch's context nests");
    const badSentAt = await post(url('/v1/batch'), {
      writeKey: WRITE_KEY,
      sentAt: '+275760-09-13T00:00:00.000Z',
      batch: [{ type: 'track', userId: 'u', event: 'E' }],
    });
    expect(badSentAt).toMatchObject({ status: 400, body: { code: 'bad_request' } });
  });

  it('takes an empty userId or anonymousId next to the other id as absent, as Segment does', async () => {
    const single = await post(url('/v1/track'), {
      writeKey: WRITE_KEY,
      userId: '',
      anonymousId: 'anon-empty-user',
      event: 'Empty User',
      messageId: 'msg-empty-user',
    });
    const batch = await post(url('/v1/batch'), {
      writeKey: WRITE_KEY,
      batch: [
        { type: 'identify', userId: 'user-empty-anon', anonymousId: '', messageId: 'msg-empty-anon' },
        { type: 'page', userId: '', anonymousId: '' },
      ],
    });
    expect(single).toMatchObject({ status: 200, body: { success: true } });
    expect(batch.status).toBe(200);
    expect(batch.body['rejected']).toEqual([
      { index: 1, code: 'no_user_anon_id', message: expect.stringContaining('userId or an anonymousId') },
    ]);
    accepted.add('msg-empty-user');
    accepted.add('msg-empty-anon');
  });

  it('merges batch-level context and integrations into every item', async () => {
    const answer = await post(url('/v1/import'), {
      writeKey: WRITE_KEY,
      context: { app: { name: 'Shop' }, locale: 'de-DE' },
      integrations: { All: false, Mixpanel: true },
      sentAt: new Date().toISOString(),
      batch: [
        { type: 'track', userId: 'u', event: 'A', messageId: 'msg-merge-a', context: { locale: 'fr-FR' } },
        { type: 'track', userId: 'u', event: 'B', messageId: 'msg-merge-b', integrations: { Mixpanel: false } },
      ],
    });
    expect(answer.status).toBe(200);
    accepted.add('msg-merge-a');
    accepted.add('msg-merge-b');
  });

  it('accepts and counts analytics.js telemetry on /v1/m', async () => {
    const answer = await post(url('/v1/m'), null, {
      headers: { 'content-type': 'text/plain' },
      raw: JSON.stringify({ series: [{ type: 'Counter', metric: 'analytics_js.invoke.error', value: 1, tags: {} }] }),
    });
    expect(answer).toMatchObject({ status: 200, body: { success: true } });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const answer = await post(url('/v1/nope'), {});
    expect(answer.status).toBe(404);
    expect(answer.body['code']).toBe('not_found');
  });

  it('stored exactly the accepted events, enriched, keyed by user, with source metadata in headers', async () => {
    const ends = await ingestion.kafka.endOffsets(ingestion.topic);
    expect([...ends.values()].reduce((sum, end) => sum + Number(end), 0)).toBe(accepted.size);
    const messages = await readTopic(ingestion.kafka, ingestion.topic, accepted.size);
    const byId = new Map(messages.map((m) => [String(parseValue(m)['messageId']), m]));
    expect(new Set(byId.keys())).toEqual(accepted);
    for (const message of messages) expect(message.value?.toString()).not.toContain(WRITE_KEY);
    expect(parseValue(byId.get('msg-nested-key') as (typeof messages)[number])['batch']).toEqual([{ note: 'kept' }]);

    const trackMessage = byId.get('msg-track-1');
    if (!trackMessage) throw new Error('msg-track-1 missing');
    const { event, metadata } = decodeEventMessage(trackMessage);
    expect(metadata).toEqual({ sourceId: SOURCE_ID, workspaceId: WORKSPACE_ID });
    expect(trackMessage.key?.toString()).toBe('user-1');
    expect(trackMessage.headers[EVENT_HEADERS.type]).toBe('track');
    expect(event).toMatchObject({
      type: 'track',
      event: 'Signed Up',
      userId: 'user-1',
      originalTimestamp: '2026-01-01T10:00:00.000Z',
      sentAt: '2026-01-01T10:00:05.000Z',
      context: { library: { name: 'curl' }, ip: '127.0.0.1' },
      integrations: {},
      version: 2,
    });
    // The client's clock ran ~5 s before its send: the event happened 5 s before receipt.
    expect(Date.parse(event.receivedAt) - Date.parse(event.timestamp)).toBe(5000);
    expect(event).not.toHaveProperty('writeKey');

    const page = decodeEventMessage(byId.get('msg-page-body') as (typeof messages)[number]).event;
    expect(page).not.toHaveProperty('writeKey');
    expect(page.timestamp).toBe(page.receivedAt);
    expect(byId.get('msg-page-body')?.key?.toString()).toBe('anon-1');

    const emptyUser = byId.get('msg-empty-user') as (typeof messages)[number];
    expect(parseValue(emptyUser)).not.toHaveProperty('userId');
    expect(parseValue(emptyUser)['anonymousId']).toBe('anon-empty-user');
    expect(emptyUser.key?.toString()).toBe('anon-empty-user');
    const emptyAnon = byId.get('msg-empty-anon') as (typeof messages)[number];
    expect(parseValue(emptyAnon)).not.toHaveProperty('anonymousId');
    expect(emptyAnon.key?.toString()).toBe('user-empty-anon');

    const a = decodeEventMessage(byId.get('msg-merge-a') as (typeof messages)[number]).event;
    const b = decodeEventMessage(byId.get('msg-merge-b') as (typeof messages)[number]).event;
    expect(a.context).toMatchObject({ app: { name: 'Shop' }, locale: 'fr-FR' });
    expect(a.integrations).toEqual({ All: false, Mixpanel: true });
    expect(b.context).toMatchObject({ app: { name: 'Shop' }, locale: 'de-DE' });
    expect(b.integrations).toEqual({ All: false, Mixpanel: false });
    expect(typeof a.sentAt).toBe('string');
  });
});

import { requireKafka, testInfrastructure } from '@manifold/testing';
import {
  basicAuth,
  DISABLED_WRITE_KEY,
  parseValue,
  readTopic,
  SOURCE_ID,
  startTestIngestion,
  WRITE_KEY,
  type TestIngestion,
} from './test-support/harness';

const ADMIN_TOKEN = 'console-service-token-0123456789';

interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** Reads Server-Sent Events from a stream until `count` arrived. */
async function readSse(response: Response, count: number, timeoutMs = 10000): Promise<SseEvent[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  while (events.length < count && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => line && !line.startsWith(':'))
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      if (fields['data']) {
        events.push({
          id: fields['id'] ?? '',
          event: fields['event'] ?? 'message',
          data: JSON.parse(fields['data']) as Record<string, unknown>,
        });
      }
    }
  }
  await reader.cancel();
  return events;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('live debugger, rate limit, proxies, pixel and analytics.js settings', () => {
  let ingestion: TestIngestion;
  const url = (path: string) => `${ingestion.url}${path}`;

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    ingestion = await startTestIngestion({
      adminToken: ADMIN_TOKEN,
      trustedProxies: ['loopback'],
      rateLimit: { requestsPerSecond: 5, burst: 40 },
      debuggerBufferSize: 5,
    });
  });

  afterAll(async () => {
    await ingestion?.close();
  });

  it('keeps the last N events per source, accepted and rejected with reasons, behind auth', async () => {
    for (let i = 0; i < 6; i++) {
      expect(
        (await post(url('/v1/track'), { writeKey: WRITE_KEY, userId: 'u', event: `E${i}`, messageId: `dbg-${i}` }))
          .status,
      ).toBe(200);
    }
    expect((await post(url('/v1/track'), { writeKey: WRITE_KEY, userId: 'u' })).status).toBe(400);

    const anonymous = await fetch(url(`/debugger/sources/${SOURCE_ID}/events`));
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as Record<string, unknown>)['code']).toBe('unauthorized');
    // Write keys are public (any page with the snippet shows one): the source's own does not open it.
    for (const authorization of [
      basicAuth(DISABLED_WRITE_KEY),
      basicAuth(WRITE_KEY),
      `Bearer ${WRITE_KEY}`,
      `Bearer ${ADMIN_TOKEN}x`,
    ]) {
      for (const path of ['events', 'stream']) {
        const refused = await fetch(url(`/debugger/sources/${SOURCE_ID}/${path}`), {
          headers: { authorization, origin: 'https://any-site.example' },
        });
        expect({ authorization, path, status: refused.status }).toEqual({ authorization, path, status: 401 });
        await refused.arrayBuffer();
      }
    }

    const byToken = await fetch(url(`/debugger/sources/${SOURCE_ID}/events`), {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, origin: 'https://any-site.example' },
    });
    expect(byToken.status).toBe(200);
    // Not readable by a page on another site even with the token: no CORS on the debugger.
    expect(byToken.headers.get('access-control-allow-origin')).toBeNull();
    const { events } = (await byToken.json()) as { events: Array<Record<string, unknown>> };
    expect(events).toHaveLength(5);
    expect(events.map((e) => e['messageId'] ?? null)).toEqual(['dbg-2', 'dbg-3', 'dbg-4', 'dbg-5', null]);
    expect(events[4]).toMatchObject({ status: 'rejected', type: 'track', reason: { code: 'event_not_defined' } });
    expect(events[0]).toMatchObject({ status: 'accepted', event: { event: 'E2', userId: 'u' } });
    expect(JSON.stringify(events)).not.toContain(WRITE_KEY);

    const limited = await fetch(url(`/debugger/sources/${SOURCE_ID}/events?limit=2`), {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(((await limited.json()) as { events: unknown[] }).events).toHaveLength(2);
  });

  it('streams new events over Server-Sent Events and resumes after Last-Event-ID', async () => {
    const stream = await fetch(url(`/debugger/sources/${SOURCE_ID}/stream?recent=0`), {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reading = readSse(stream, 2);
    await post(url('/v1/identify'), { writeKey: WRITE_KEY, userId: 'live-1', messageId: 'dbg-live' });
    await post(url('/v1/group'), { writeKey: WRITE_KEY, userId: 'live-1' });
    const live = await reading;
    expect(live.map((e) => e.event)).toEqual(['accepted', 'rejected']);
    expect(live[0]?.data).toMatchObject({ messageId: 'dbg-live', type: 'identify', sourceId: SOURCE_ID });
    expect(live[1]?.data).toMatchObject({ reason: { code: 'id_required' } });

    // A reconnecting EventSource gets only what came after the last event it saw.
    const resumed = await fetch(url(`/debugger/sources/${SOURCE_ID}/stream`), {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'last-event-id': live[0]?.id ?? '' },
    });
    const replay = await readSse(resumed, 1);
    expect(replay.map((e) => e.id)).toEqual([live[1]?.id]);
  });

  it('takes context.ip from X-Forwarded-For only through trusted proxies', async () => {
    // The test client is on loopback, which this instance trusts as a proxy.
    expect(
      (
        await post(
          url('/v1/track'),
          { writeKey: WRITE_KEY, userId: 'ip', event: 'Proxied', messageId: 'ip-proxied' },
          { 'x-forwarded-for': '203.0.113.7, 127.0.0.1' },
        )
      ).status,
    ).toBe(200);
    const messages = await readTopic(ingestion.kafka, ingestion.topic, 8);
    const proxied = messages.map(parseValue).find((e) => e['messageId'] === 'ip-proxied');
    expect((proxied?.['context'] as Record<string, unknown>)['ip']).toBe('203.0.113.7');
  });

  it('serves analytics.js settings pointing back here, and 404 for unknown keys', async () => {
    const res = await fetch(url(`/v1/projects/${WRITE_KEY}/settings`), {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'ingest.example.com' },
    });
    expect(res.status).toBe(200);
    const settings = (await res.json()) as { integrations: Record<string, Record<string, unknown>> };
    expect(settings.integrations['Segment.io']).toMatchObject({
      apiKey: WRITE_KEY,
      apiHost: 'ingest.example.com/v1',
      protocol: 'https',
    });
    const unknown = await fetch(url('/v1/projects/nope/settings'));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Record<string, unknown>)['code']).toBe('unknown_source');
    expect((await fetch(url('/analytics.js/v1/nope/analytics.min.js'))).status).toBe(404);
    const bundle = await fetch(url(`/analytics.js/v1/${WRITE_KEY}/analytics.min.js`));
    expect(await bundle.text()).toContain(`window.analyticsWriteKey="${WRITE_KEY}"`);
    expect((await fetch(url('/analytics-next/bundles/..%2Fpackage.json'))).status).toBe(404);
    const undecodable = await fetch(url('/v1/projects/%E0%A4%A/settings'));
    expect(undecodable.status).toBe(400);
    expect(((await undecodable.json()) as Record<string, unknown>)['code']).toBe('bad_request');
  });

  it('answers the pixel API with a GIF whatever happens', async () => {
    const data = Buffer.from(
      JSON.stringify({ writeKey: WRITE_KEY, userId: 'px', event: 'Email Opened', messageId: 'pixel-1' }),
    ).toString('base64');
    const ok = await fetch(url(`/v1/pixel/track?data=${encodeURIComponent(data)}`));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/gif');
    const bad = await fetch(url('/v1/pixel/track?data=nonsense'));
    expect(bad.status).toBe(200);
    expect(bad.headers.get('content-type')).toBe('image/gif');
    const messages = await readTopic(ingestion.kafka, ingestion.topic, 9);
    expect(messages.map(parseValue).find((e) => e['messageId'] === 'pixel-1')).toMatchObject({
      type: 'track',
      event: 'Email Opened',
    });
  });

  it('limits requests per write key with 429 and Retry-After', async () => {
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post(url('/v1/track'), { writeKey: WRITE_KEY, userId: 'rl', event: 'Burst', messageId: `rl-${i}` }),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // At most the burst of 40, plus what 5 per second refilled while the requests were answered.
    const refilled = Math.ceil(((Date.now() - started) / 1000) * 5);
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(40 + refilled);
    expect(limited[0]?.body['code']).toBe('rate_limited');
    expect(Number(limited[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

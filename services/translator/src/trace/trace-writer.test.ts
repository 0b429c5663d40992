// The trace writer against the real broker: what it writes for exchanges that read the same
// except for credentials (one masked exchange per record), for other instances' credentials, and
// for an event that did not get through (its request body kept), read back from the topics.
import {
  parseSettings,
  translateEvent,
  type DestinationDefinition,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { destinationById } from '@manifold/destinations';
import { decodeTraceRecord, traceKeyHash, type SpecEvent, type TraceIndexMessage } from '@manifold/events';
import { KafkaClient, type ConsumedMessage } from '@manifold/kafka';
import { metrics } from '@manifold/telemetry';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import type { Exchange } from '../pipeline/task';
import { traceEntry } from './trace-recorder';
import { TraceWriter } from './trace-writer';

const logger = testLogger('trace-writer');
const webhook = destinationById('webhook') as DestinationDefinition;
const SIGNING_A = 'signing-secret-of-a-71';
const SIGNING_B = 'signing-secret-of-b-93';
const TEAM_TOKEN = 'team-token-5f2e9c';

function settingsOf(raw: Record<string, unknown>) {
  const parsed = parseSettings(webhook, raw);
  if (!parsed.ok) throw new Error(parsed.outcome.message);
  return parsed.settings;
}

function event(n: number): SpecEvent {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: `tw-${n}-${Math.random().toString(36).slice(2, 10)}`,
    userId: `user-${n}`,
    properties: { total: n },
    timestamp: now,
    receivedAt: now,
    context: {},
    integrations: {},
  };
}

function requestFor(settings: ReturnType<typeof settingsOf>, e: SpecEvent): RequestDescriptor {
  const translation = translateEvent(webhook, e, settings);
  const request = translation.kind === 'requests' ? translation.requests[0] : undefined;
  if (!request) throw new Error('no request');
  return request;
}

describe('trace writer', () => {
  const { kafkaBrokers } = testInfrastructure();
  let kafka: KafkaClient;

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: 'trace-writer-test', logger });
  });

  afterAll(async () => {
    await kafka?.disconnect();
  });

  it('masks each distinct exchange once, per instance credentials, keeping the body of what failed', async () => {
    const topic = uniqueName('traces');
    const indexTopic = uniqueName('trace-index');
    await kafka.ensureTopics([
      { topic, partitions: 1 },
      { topic: indexTopic, partitions: 1 },
    ]);
    const producer = await kafka.producer();
    const writer = new TraceWriter({
      producer,
      topic,
      indexTopic,
      partitions: 1,
      flushIntervalMs: 60_000,
      bodyChars: 4096,
      logger,
      meter: metrics.getMeter('trace-writer-test'),
    });
    const url = 'http://127.0.0.1:9/hooks/in';
    const a = settingsOf({ url, sharedSecret: SIGNING_A, headers: { 'X-Team': TEAM_TOKEN } });
    const b = settingsOf({ url, sharedSecret: SIGNING_B });
    const ok = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    const record = (
      instance: string,
      e: SpecEvent,
      request: RequestDescriptor,
      response: Exchange['response'],
      outcome: 'delivered' | 'failed',
    ) => {
      const exchange: Exchange = { request, response, answeredAt: Date.now(), durationMs: 12.4 };
      const entry = traceEntry(
        { event: e, metadata: { sourceId: 'src-1', workspaceId: 'ws-1' }, origin: 'events/0/1' },
        { id: instance },
        'webhook',
        outcome,
        outcome === 'failed' ? { reason: 'http_400', attempt: 1 } : { attempt: 1 },
        Date.now(),
      );
      writer.record({ entry, exchange });
    };
    const events = Array.from({ length: 6 }, (_, n) => event(n));
    const [e0, e1, e2, e3, e4, e5] = events as [SpecEvent, SpecEvent, SpecEvent, SpecEvent, SpecEvent, SpecEvent];
    // First a request that reads like A's but was built for no instance's settings (masked by
    // the rules that need no secrets): A's requests must not reuse it, nor it theirs.
    record('hook-x', e0, { ...requestFor(a, e0), headers: { ...requestFor(a, e1).headers } }, ok, 'delivered');
    // Three of A's, each signed differently (x-signature: a credential-named header).
    for (const e of [e1, e2, e3]) record('hook-a', e, requestFor(a, e), ok, 'delivered');
    record('hook-b', e4, requestFor(b, e4), ok, 'delivered');
    const refused = { status: 400, headers: { 'x-echo': TEAM_TOKEN }, body: `{"error":"no","token":"${TEAM_TOKEN}"}` };
    record('hook-a', e5, requestFor(a, e5), refused, 'failed');
    await writer.stop();
    await producer.disconnect();

    const messages: ConsumedMessage[] = [];
    await kafka.readRanges({
      topic,
      ranges: [{ partition: 0, from: '0', to: '1' }],
      handleBatch: async (batch) => {
        messages.push(...batch);
      },
    });
    expect(messages).toHaveLength(1);
    const wire = (messages[0]!.value as Buffer).toString('utf8');
    for (const secret of [SIGNING_A, SIGNING_B]) expect(wire).not.toContain(secret);
    const { entries, exchanges } = decodeTraceRecord(wire);
    expect(entries.map((e) => e.messageId)).toEqual(events.map((e) => e.messageId));
    const exchangeOf = (i: number) => exchanges[entries[i]!.exchange!]!;

    // A's three deliveries read the same once masked: one exchange, without a request body.
    expect(new Set(entries.slice(1, 4).map((e) => e.exchange)).size).toBe(1);
    expect(exchangeOf(1).request).toEqual({
      method: 'POST',
      url,
      headers: {
        'x-team': '********',
        'content-type': 'application/json',
        'user-agent': expect.any(String),
        'x-signature': '********',
      },
    });
    expect(exchangeOf(1).response).toEqual({ status: 200, headers: {}, body: '{"ok":true}' });
    // The request built for no instance is its own: only its credential-named header masked.
    expect(entries[0]!.exchange).not.toBe(entries[1]!.exchange);
    expect(exchangeOf(0).request.headers).toMatchObject({ 'x-team': TEAM_TOKEN, 'x-signature': '********' });
    expect(wire.split(TEAM_TOKEN)).toHaveLength(2);
    // B's requests have no x-team: another exchange.
    expect(exchangeOf(4).request.headers['x-team']).toBeUndefined();
    // The refused event keeps its request body and the answer, masked.
    const failed = exchangeOf(5);
    expect(failed.request.body).toContain(e5.messageId);
    expect(failed.response).toEqual({
      status: 400,
      headers: { 'x-echo': '********' },
      body: '{"error":"no","token":"********"}',
    });
    for (const entry of entries) {
      expect(entry.sentAt).toEqual(expect.any(Number));
      expect(entry.durationMs).toBe(12);
    }

    // The index names the record for each event.
    const index: ConsumedMessage[] = [];
    await kafka.readRanges({
      topic: indexTopic,
      ranges: [{ partition: 0, from: '0', to: '1' }],
      handleBatch: async (batch) => {
        index.push(...batch);
      },
    });
    const written = JSON.parse((index[0]!.value as Buffer).toString('utf8')) as TraceIndexMessage;
    expect(written).toMatchObject({ v: 1, partition: 0, baseOffset: '0', records: 1 });
    const hashes = written.keys.filter((_, i) => i % 2 === 0);
    expect(hashes.sort()).toEqual(events.map((e) => traceKeyHash('ws-1', e.messageId)).sort());
  });
});

// End to end into a customer's Kafka: ingestion → Kafka (the platform's) → translator → a topic
// of another broker (this test's own, logged in to with SCRAM over TLS), read back with a
// consumer. Also while that broker is down (events wait in the retry tiers), and with a wrong
// password (dead letters that say so, and never show it).
import { readFileSync } from 'node:fs';
import type { ConfigSnapshot, DestinationConfig } from '@manifold/config-client';
import { KafkaClient, type ConsumedMessage } from '@manifold/kafka';
import { eventually, PrivateKafka, readTopicUntil, testLogger, uniqueName } from '@manifold/testing';
import { destination, snapshot, source, waitForReports } from './test-support/harness';
import { startPipeline, type Pipeline } from './test-support/e2e';

jest.setTimeout(300_000);

const sources: ConfigSnapshot['sources'] = [
  source({ id: 'src-app', writeKeys: ['wk-kafka-app-0123456789abcdef'] }),
  source({ id: 'src-wrong', writeKeys: ['wk-kafka-wrong-0123456789abcd'] }),
];
const WRONG_PASSWORD = 'wrong-Pa55word-9c2e';

function track(user: number, n: number) {
  return {
    type: 'track',
    userId: `user-${user}`,
    event: 'Step Done',
    messageId: `m-${user}-${n}-${Math.random().toString(36).slice(2, 8)}`,
    properties: { n },
  };
}

const messageIdOf = (m: ConsumedMessage) =>
  (JSON.parse(m.value?.toString() ?? '{}') as { messageId: string }).messageId;

describe('end to end: the Kafka destination', () => {
  let customer: PrivateKafka;
  let reader: KafkaClient;
  let pipeline: Pipeline;
  const topic = uniqueName('customer-events');

  beforeAll(async () => {
    customer = await PrivateKafka.create({ saslSsl: true });
    await customer.start();
    const env = customer.saslSslClientEnv();
    reader = new KafkaClient({ brokers: customer.brokers, clientId: 'e2e-kafka-reader', logger: testLogger('reader') });
    // A broker just started on a busy machine may not answer metadata requests in time yet.
    await eventually(
      () =>
        reader.ensureTopics([{ topic, partitions: 3 }]).then(
          () => true,
          () => false,
        ),
      (created) => created,
      90_000,
    );
    const settings = {
      brokers: customer.saslSslBrokers.join(','),
      topic,
      saslMechanism: 'scram-sha-512',
      username: env['KAFKA_SASL_USERNAME'],
      password: env['KAFKA_SASL_PASSWORD'],
      caCertificate: readFileSync(env['KAFKA_TLS_CA_FILE'] as string, 'utf8'),
    };
    const kafka = (id: string, sourceId: string, extra: Record<string, unknown> = {}): DestinationConfig =>
      destination({
        id,
        catalogId: 'kafka',
        catalogName: 'Kafka',
        sourceIds: [sourceId],
        settings: { ...settings, ...extra },
      });
    pipeline = await startPipeline({
      snapshot: snapshot(
        [kafka('kafka-app', 'src-app'), kafka('kafka-wrong', 'src-wrong', { password: WRONG_PASSWORD })],
        1,
        sources,
      ),
      settings: { destinationTypes: ['kafka'], retryWindowMs: 10 * 60_000 },
    });
  }, 180_000);

  afterAll(async () => {
    await pipeline?.close();
    await reader?.disconnect();
    await customer?.destroy();
  });

  /** Reads the customer's topic until every one of `ids` is there (or time is up); the records read. */
  const readBack = (ids: readonly string[], timeoutMs = 60_000) =>
    readTopicUntil(reader, topic, (got) => ids.every((id) => got.some((m) => messageIdOf(m) === id)), timeoutMs);

  /** Each event once, each user's on one partition; in the order sent unless `ordered` is false. */
  function expectOncePerEvent(records: readonly ConsumedMessage[], sent: ReturnType<typeof track>[], ordered = true) {
    expect(records.map(messageIdOf).sort()).toEqual(sent.map((e) => e.messageId).sort());
    for (const user of new Set(sent.map((e) => e.userId))) {
      const mine = records.filter((r) => r.key?.toString() === user);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      if (!ordered) continue;
      const inPartition = [...mine].sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
      expect(inPartition.map(messageIdOf)).toEqual(sent.filter((e) => e.userId === user).map((e) => e.messageId));
    }
  }

  it('writes every event once, in order per user, then waits out a broker outage and writes those once too', async () => {
    const key = 'wk-kafka-app-0123456789abcdef';
    const first = Array.from({ length: 5 }, (_, user) => Array.from({ length: 6 }, (_n, n) => track(user, n))).flat();
    // Each user's events in order within a batch; users interleaved across batches.
    for (let i = 0; i < 6; i++) {
      const batch = first.filter((e) => e.properties.n === i);
      expect(await pipeline.track('/v1/batch', { batch }, key)).toBe(200);
    }
    const records = await readBack(first.map((e) => e.messageId));
    expectOncePerEvent(records, first);
    expect(JSON.parse(records[0]?.value?.toString() ?? '{}')).toMatchObject({ type: 'track', event: 'Step Done' });
    expect(records[0]?.headers).toMatchObject({ 'manifold-type': 'track' });

    // The customer's broker goes down; events keep coming and wait in the retry tiers.
    await customer.stop();
    const during = Array.from({ length: 10 }, (_, n) => track(9, n));
    expect(await pipeline.track('/v1/batch', { batch: during }, key)).toBe(200);
    const reportsTopic = pipeline.translator.translator.names.deliveryReports;
    const retried = (c: Record<string, number>) =>
      Object.entries(c)
        .filter(([k]) => k.startsWith('kafka-app|retrying|') || k.startsWith('kafka-app|retried|'))
        .reduce((sum, [, n]) => sum + n, 0);
    const { counts: down } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic,
      (c) => retried(c) >= 10,
      90_000,
    );
    expect(retried(down)).toBeGreaterThanOrEqual(10);
    expect(Object.keys(down).filter((k) => k.startsWith('kafka-app|retr'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/\|kafka_(broker_not_available|request_timed_out)$/)]),
    );

    await customer.start();
    const all = [...first, ...during];
    const after = await readBack(
      all.map((e) => e.messageId),
      120_000,
    );
    // Time for a second copy to show up, should there be one.
    const settled = await readTopicUntil(reader, topic, (got) => got.length > after.length, 3000);
    // Retried events come back from the tiers in no particular order (as for every destination).
    expectOncePerEvent(settled, all, false);
    expectOncePerEvent(
      settled.filter((r) => first.some((e) => e.messageId === messageIdOf(r))),
      first,
    );
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic,
      (c) => (c['kafka-app|delivered|'] ?? 0) >= all.length,
      30_000,
    );
    expect(counts['kafka-app|delivered|']).toBe(all.length);
    expect(Object.keys(counts).filter((k) => k.startsWith('kafka-app|failed|'))).toEqual([]);

    // The event traces show where a record went: the request to kafka://…/<topic>, and the answer
    // with its partition and offset.
    const written = (m: ConsumedMessage) =>
      /kafka:\/\/.*\\"partition\\":\d+,\\"offset\\":\\"\d+\\"/.test(m.value?.toString() ?? '');
    const names = pipeline.translator.translator.names;
    const traces = await readTopicUntil(
      pipeline.translator.kafka,
      names.eventTraces,
      (got) => got.some(written),
      30_000,
    );
    expect(traces.some(written)).toBe(true);
  });

  it('a wrong password: every event dead-lettered with the reason, counted as failed, the password nowhere', async () => {
    const events = Array.from({ length: 3 }, (_, n) => track(50, n));
    expect(await pipeline.track('/v1/batch', { batch: events }, 'wk-kafka-wrong-0123456789abcd')).toBe(200);
    const names = pipeline.translator.translator.names;
    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      names.deliveryReports,
      (c) => (c['kafka-wrong|failed|http_401'] ?? 0) >= 3,
      60_000,
    );
    expect(counts['kafka-wrong|failed|http_401']).toBe(3);
    expect(counts['kafka-wrong|delivered|'] ?? 0).toBe(0);

    const deadLetters = await readTopicUntil(
      pipeline.translator.kafka,
      names.deadLetter('kafka'),
      (got) => got.length >= 3,
      30_000,
    );
    expect(deadLetters).toHaveLength(3);
    for (const record of deadLetters) {
      const text = record.value?.toString() ?? '';
      expect(text).toContain('SASL_AUTHENTICATION_FAILED');
      expect(text).toContain('refused the SASL login');
      expect(text).not.toContain(WRONG_PASSWORD);
    }
    const samples = await readTopicUntil(
      pipeline.translator.kafka,
      names.deliverySamples,
      (got) => got.some((m) => m.value?.toString().includes('"kafka-wrong"')),
      15_000,
    );
    const traces = await readTopicUntil(pipeline.translator.kafka, names.eventTraces, (got) => got.length > 0, 15_000);
    for (const record of [...samples, ...traces]) expect(record.value?.toString()).not.toContain(WRONG_PASSWORD);
    expect(samples.map((s) => s.value?.toString()).join('')).toContain('SASL_AUTHENTICATION_FAILED');
  });
});

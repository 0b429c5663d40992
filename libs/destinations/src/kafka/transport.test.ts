// The Kafka destination's transport against a real broker of this test's own: a plaintext
// listener (for setting up and reading back) and a SASL_SSL one (SCRAM and PLAIN over TLS, a CA
// of its own) that the destination logs in to, as to a customer's cluster.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import {
  buildRequests,
  classifyResponse,
  outcomesPerEvent,
  prepareEvent,
  translateEvent,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { AddressPolicy } from '@manifold/destination-http';
import { KafkaClient, type ConsumedMessage } from '@manifold/kafka';
import { createLogger } from '@manifold/logger';
import { eventually, PrivateKafka, readTopic, testLogger, uniqueName } from '@manifold/testing';
import type { SpecEvent } from '@manifold/events';
import { kafka } from './index';
import { KafkaTransport } from './transport';
import { parsed, specEvent } from '../test-support/harness';

jest.setTimeout(240_000);

const logger = testLogger('kafka-destination');
let broker: PrivateKafka;
let admin: KafkaClient;
let secure: { username: string; password: string; ca: string };

/** The PEM body alone, as Segment's settings ask for it (the destination puts the armour back). */
const bare = (pem: string) => pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');

beforeAll(async () => {
  broker = await PrivateKafka.create({ saslSsl: true });
  await broker.start();
  const env = broker.saslSslClientEnv();
  secure = {
    username: env['KAFKA_SASL_USERNAME'] as string,
    password: env['KAFKA_SASL_PASSWORD'] as string,
    ca: readFileSync(env['KAFKA_TLS_CA_FILE'] as string, 'utf8'),
  };
  admin = new KafkaClient({ brokers: broker.brokers, clientId: 'kafka-destination-test', logger });
  // A broker just started on a busy machine may not answer metadata requests in time yet.
  await eventually(
    () =>
      admin.ping().then(
        () => true,
        () => false,
      ),
    (up) => up,
    90_000,
  );
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.destroy();
});

function settingsFor(topic: string, extra: Record<string, unknown> = {}) {
  return parsed(kafka, {
    brokers: broker.saslSslBrokers.join(','),
    topic,
    saslMechanism: 'scram-sha-512',
    username: secure.username,
    password: secure.password,
    caCertificate: bare(secure.ca),
    ...extra,
  });
}

async function newTopic(partitions = 1, config: Record<string, string> = {}): Promise<string> {
  const topic = uniqueName('customer-events');
  await admin.ensureTopics([{ topic, partitions, config }]);
  return topic;
}

/** Translates the event and sends its one request through the transport; the kit's reading of the answer. */
async function sendEvent(
  transport: KafkaTransport,
  event: SpecEvent,
  settings: ReturnType<typeof settingsFor>,
  instanceId = 'instance-1',
) {
  const translation = translateEvent(kafka, event, settings);
  if (translation.kind !== 'requests') throw new Error(`not translated: ${translation.kind}`);
  const request = translation.requests[0] as RequestDescriptor;
  const response = await transport.send(request, { instanceId, settings });
  return { response, outcome: classifyResponse(kafka, request, response) };
}

/** Several events as one batched request through the transport; each event's outcome. */
async function sendBatch(transport: KafkaTransport, events: SpecEvent[], settings: ReturnType<typeof settingsFor>) {
  const payloads = events.map((event) => {
    const prepared = prepareEvent(kafka, event, settings);
    if (prepared.kind !== 'prepared') throw new Error(`not prepared: ${prepared.kind}`);
    return prepared.payload;
  });
  const [request, ...more] = buildRequests(kafka, 'send', payloads, settings);
  expect(more).toEqual([]);
  const response = await transport.send(request!, { instanceId: 'instance-1', settings });
  return { response, outcomes: outcomesPerEvent(request!, classifyResponse(kafka, request!, response), events.length) };
}

const eventOf = (m: ConsumedMessage) => JSON.parse(m.value?.toString() ?? 'null') as SpecEvent;

describe('Kafka destination over SASL_SSL', () => {
  it.each(['scram-sha-512', 'scram-sha-256', 'plain'])(
    'logs in with %s over TLS (CA pasted without armour) and writes the event, key and headers',
    async (mechanism) => {
      const topic = await newTopic();
      const transport = new KafkaTransport({ logger }, kafka);
      try {
        const event = specEvent({ type: 'track', event: 'Order Completed', properties: { total: 30 } });
        const { response, outcome } = await sendEvent(
          transport,
          event,
          settingsFor(topic, { saslMechanism: mechanism }),
        );
        expect(outcome).toEqual({ kind: 'delivered', status: 200 });
        expect(JSON.parse(response.body)).toEqual({ topic, partition: 0, offset: '0' });
        const [record, ...more] = await readTopic(admin, topic, 1);
        expect(more).toEqual([]);
        expect(eventOf(record as ConsumedMessage)).toEqual(event);
        expect(record?.key?.toString()).toBe('user-1001');
        expect(record?.headers).toEqual({ 'manifold-type': 'track', 'manifold-message-id': event.messageId });
      } finally {
        await transport.close();
      }
    },
  );

  it('presents a client certificate pasted without armour (mutual TLS)', async () => {
    const topic = await newTopic();
    const transport = new KafkaTransport({ logger }, kafka);
    try {
      const settings = settingsFor(topic, {
        clientCertificate: bare(readFileSync(`${broker.secureDir}/client.pem`, 'utf8')),
        clientKey: bare(readFileSync(`${broker.secureDir}/client.key`, 'utf8')),
      });
      const { outcome } = await sendEvent(transport, specEvent({ type: 'identify' }), settings);
      expect(outcome).toEqual({ kind: 'delivered', status: 200 });
    } finally {
      await transport.close();
    }
  });

  describe('partitioning', () => {
    const users = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6'];
    const events = users.flatMap((userId) =>
      [1, 2, 3].map((n) => specEvent({ type: 'track', userId, event: `Step ${n}`, messageId: `${userId}-${n}` })),
    );

    async function sendAll(extra: Record<string, unknown>, random?: () => number) {
      const topic = await newTopic(3);
      const transport = new KafkaTransport({ logger }, kafka, random);
      try {
        for (const event of events) {
          expect((await sendEvent(transport, event, settingsFor(topic, extra))).outcome.kind).toBe('delivered');
        }
      } finally {
        await transport.close();
      }
      return readTopic(admin, topic, events.length);
    }

    it('by key (userId): each user on one partition, in order, several partitions used', async () => {
      const records = await sendAll({ key: 'userId', partitioning: 'key' });
      expect(records).toHaveLength(events.length);
      for (const user of users) {
        const mine = records.filter((r) => r.key?.toString() === user);
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
        expect(mine.map((r) => eventOf(r).messageId)).toEqual([`${user}-1`, `${user}-2`, `${user}-3`]);
      }
      expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
    });

    it('round-robin: partitions in turn, the key kept on the record', async () => {
      const records = await sendAll({ key: 'messageId', partitioning: 'round-robin' });
      const byMessage = new Map(records.map((r) => [eventOf(r).messageId, r]));
      expect(events.map((e) => byMessage.get(e.messageId)?.partition)).toEqual(events.map((_e, i) => i % 3));
      expect(records.every((r) => r.key?.toString() === eventOf(r).messageId)).toBe(true);
    });

    it('random: the partition the random number picks', async () => {
      const picks = [0.1, 0.5, 0.9];
      let n = 0;
      const records = await sendAll({ key: 'none', partitioning: 'random' }, () => picks[n++ % 3] as number);
      const byMessage = new Map(records.map((r) => [eventOf(r).messageId, r]));
      expect(events.map((e) => byMessage.get(e.messageId)?.partition)).toEqual(events.map((_e, i) => i % 3));
      expect(records.every((r) => r.key === null)).toBe(true);
    });
  });

  describe("batches: one request, each partition's records in one send", () => {
    it("by key: each user's records on the partition a single record of theirs goes to, in order", async () => {
      const topic = await newTopic(3);
      const settings = settingsFor(topic, { key: 'userId', partitioning: 'key' });
      const transport = new KafkaTransport({ logger }, kafka);
      try {
        const users = ['ann', 'bo', 'cy', 'di', 'ed'];
        // One record each on its own first: the producer's own choice of partition.
        for (const user of users)
          await sendEvent(transport, specEvent({ type: 'track', userId: user, messageId: `${user}-0` }), settings);
        const batch = [1, 2, 3].flatMap((n) =>
          users.map((user) => specEvent({ type: 'track', userId: user, messageId: `${user}-${n}` })),
        );
        const { response, outcomes } = await sendBatch(transport, batch, settings);
        expect(outcomes.map((o) => o.kind)).toEqual(batch.map(() => 'delivered'));
        const answered = JSON.parse(response.body) as { records: { partition: number; offset: string }[] };
        expect(answered.records).toHaveLength(batch.length);
        const records = await readTopic(admin, topic, users.length * 4);
        for (const user of users) {
          const mine = records.filter((r) => r.key?.toString() === user);
          expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
          expect(mine.map((r) => eventOf(r).messageId)).toEqual([0, 1, 2, 3].map((n) => `${user}-${n}`));
          // The answer names where each record went.
          const at = answered.records[batch.findIndex((e) => e.userId === user)];
          expect(at?.partition).toBe(mine[0]?.partition);
          expect(mine.map((r) => r.offset)).toContain(at?.offset);
        }
        expect(records.every((r) => r.headers?.['manifold-message-id'] === eventOf(r).messageId)).toBe(true);
      } finally {
        await transport.close();
      }
    });

    it('a record larger than the topic takes: only its event is refused, the others written once', async () => {
      const topic = await newTopic(1, { 'max.message.bytes': '3000' });
      const settings = settingsFor(topic);
      const transport = new KafkaTransport({ logger }, kafka);
      try {
        const batch = [
          specEvent({ type: 'track', messageId: 'small-1' }),
          specEvent({ type: 'track', messageId: 'big', properties: { blob: 'x'.repeat(5000) } }),
          specEvent({ type: 'track', messageId: 'small-2' }),
        ];
        const { outcomes } = await sendBatch(transport, batch, settings);
        expect(outcomes).toMatchObject([
          { kind: 'delivered' },
          { kind: 'dead-letter', reason: 'REJECTED', message: expect.stringContaining('Kafka MESSAGE_TOO_LARGE') },
          { kind: 'delivered' },
        ]);
        const records = await readTopic(admin, topic, 2);
        expect(records.map((r) => eventOf(r).messageId)).toEqual(['small-1', 'small-2']);
      } finally {
        await transport.close();
      }
    });

    it('a topic that does not exist: every event of the batch refused (404), nothing written', async () => {
      const transport = new KafkaTransport({ logger }, kafka);
      try {
        const { response, outcomes } = await sendBatch(
          transport,
          [specEvent({ type: 'track', messageId: 'a' }), specEvent({ type: 'track', messageId: 'b' })],
          settingsFor(uniqueName('missing-topic')),
        );
        expect(response.status).toBe(404);
        expect(outcomes.map((o) => o.kind)).toEqual(['dead-letter', 'dead-letter']);
      } finally {
        await transport.close();
      }
    });
  });

  it('records sent concurrently to one instance are written one at a time, in the order asked', async () => {
    const topic = await newTopic(3);
    const transport = new KafkaTransport({ logger }, kafka);
    try {
      const events = Array.from({ length: 40 }, (_, n) =>
        specEvent({ type: 'track', userId: `u-${n % 2}`, messageId: `c-${n}` }),
      );
      const sent = await Promise.all(events.map((event) => sendEvent(transport, event, settingsFor(topic))));
      expect(sent.every((s) => s.outcome.kind === 'delivered')).toBe(true);
      const records = await readTopic(admin, topic, events.length);
      for (const user of ['u-0', 'u-1']) {
        const mine = records.filter((r) => r.key?.toString() === user);
        expect(mine.map((r) => eventOf(r).messageId)).toEqual(
          events.filter((e) => e.userId === user).map((e) => e.messageId),
        );
      }
    } finally {
      await transport.close();
    }
  });

  describe('failures', () => {
    it('a wrong password: a dead letter saying the login was refused, the password nowhere', async () => {
      const topic = await newTopic();
      const wrong = 'wrong-password-7d1c9a';
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      const transport = new KafkaTransport({ logger: createLogger('kafka-destination', 'debug', sink) }, kafka);
      try {
        const { response, outcome } = await sendEvent(
          transport,
          specEvent({ type: 'track' }),
          settingsFor(topic, { password: wrong }),
        );
        expect(response.status).toBe(401);
        expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });
        expect(outcome.kind === 'dead-letter' && outcome.message).toContain(
          'Kafka SASL_AUTHENTICATION_FAILED: the brokers refused the SASL login',
        );
        expect(response.body).not.toContain(wrong);
        expect(lines.join('')).not.toContain(wrong);
      } finally {
        await transport.close();
      }
    });

    it('brokers in a network destinations may not reach: a dead letter saying so, nothing written; others connect', async () => {
      const topic = await newTopic();
      const blocked = new KafkaTransport(
        { logger, addressPolicy: AddressPolicy.blocking(['127.0.0.0/8', '::1/128']) },
        kafka,
      );
      const allowed = new KafkaTransport({ logger, addressPolicy: AddressPolicy.blocking(['169.254.0.0/16']) }, kafka);
      try {
        const refused = await sendEvent(blocked, specEvent({ type: 'track' }), settingsFor(topic));
        expect(refused.outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });
        expect(refused.outcome.kind === 'dead-letter' && refused.outcome.message).toMatch(
          /^Kafka ADDRESS_BLOCKED: .*is in a network destinations may not reach \(DESTINATION_BLOCKED_NETWORKS\)/,
        );
        // The same brokers under a policy that allows them: written (over SASL_SSL, through the policy's socket).
        const event = specEvent({ type: 'track' });
        const written = await sendEvent(allowed, event, settingsFor(topic));
        expect(written.outcome).toMatchObject({ kind: 'delivered' });
        const messages = await readTopic(admin, topic, 1);
        expect(messages.map((m) => eventOf(m).messageId)).toEqual([event.messageId]);
      } finally {
        await Promise.all([blocked.close(), allowed.close()]);
      }
    });

    it('a CA that did not sign the brokers’ certificate: a dead letter naming the CA', async () => {
      const topic = await newTopic();
      const transport = new KafkaTransport({ logger }, kafka);
      try {
        const { outcome } = await sendEvent(
          transport,
          specEvent({ type: 'track' }),
          settingsFor(topic, { caCertificate: undefined }),
        );
        expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });
        expect(outcome.kind === 'dead-letter' && outcome.message).toContain('Kafka TLS_CERTIFICATE_NOT_TRUSTED');
      } finally {
        await transport.close();
      }
    });

    it.each(['key', 'round-robin'])(
      'a topic that does not exist (no auto-creation), partitioning by %s: a dead letter',
      async (partitioning) => {
        const transport = new KafkaTransport({ logger }, kafka);
        try {
          const settings = settingsFor(uniqueName('absent'), { partitioning });
          const { outcome } = await sendEvent(transport, specEvent({ type: 'track' }), settings);
          expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });
          expect(outcome.kind === 'dead-letter' && outcome.message).toContain('Kafka UNKNOWN_TOPIC_OR_PARTITION');
          expect(await admin.listTopics()).not.toContain(settings.topic);
        } finally {
          await transport.close();
        }
      },
    );

    it('a record larger than the topic takes: a dead letter; the next event still goes', async () => {
      const topic = await newTopic(1, { 'max.message.bytes': '2000' });
      const transport = new KafkaTransport({ logger }, kafka);
      try {
        const big = specEvent({ type: 'track', properties: { blob: 'x'.repeat(5000) } });
        const { outcome } = await sendEvent(transport, big, settingsFor(topic));
        expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'REJECTED' });
        expect(outcome.kind === 'dead-letter' && outcome.message).toContain('Kafka MESSAGE_TOO_LARGE');
        const small = await sendEvent(transport, specEvent({ type: 'track' }), settingsFor(topic));
        expect(small.outcome.kind).toBe('delivered');
      } finally {
        await transport.close();
      }
    });

    it('closes the producer of an instance idle for ten minutes (removed, disabled or quiet)', async () => {
      const topic = await newTopic();
      const transport = new KafkaTransport({ logger }, kafka);
      try {
        await sendEvent(transport, specEvent({ type: 'track' }), settingsFor(topic), 'a');
        await sendEvent(transport, specEvent({ type: 'track' }), settingsFor(topic), 'b');
        expect(transport.openProducers).toBe(2);
        await transport.closeIdle(Date.now() + 5 * 60_000);
        expect(transport.openProducers).toBe(2);
        await transport.closeIdle(Date.now() + 11 * 60_000);
        expect(transport.openProducers).toBe(0);
        const again = await sendEvent(transport, specEvent({ type: 'track' }), settingsFor(topic), 'a');
        expect(again.outcome.kind).toBe('delivered');
      } finally {
        await transport.close();
      }
    });

    it('a new producer when the connection settings change', async () => {
      const topic = await newTopic();
      const transport = new KafkaTransport({ logger }, kafka);
      try {
        const wrong = await sendEvent(transport, specEvent({ type: 'track' }), settingsFor(topic, { password: 'x' }));
        expect(wrong.outcome.kind).toBe('dead-letter');
        const fixed = await sendEvent(transport, specEvent({ type: 'track' }), settingsFor(topic));
        expect(fixed.outcome.kind).toBe('delivered');
      } finally {
        await transport.close();
      }
    });
  });
});

// Last: it stops the broker.
describe('Kafka destination while the brokers are down', () => {
  it('answers "try again later", and writes the event once they are back', async () => {
    const topic = await newTopic();
    const transport = new KafkaTransport({ logger }, kafka);
    try {
      const settings = settingsFor(topic);
      expect((await sendEvent(transport, specEvent({ type: 'track', messageId: 'm-0' }), settings)).outcome.kind).toBe(
        'delivered',
      );
      await broker.stop();
      const down = await sendEvent(transport, specEvent({ type: 'track', messageId: 'm-1' }), settings);
      expect(down.response.status).toBe(503);
      expect(down.outcome).toEqual({ kind: 'retry', reason: 'kafka_broker_not_available' });
      // The next record is not tried for a few seconds: answered at once, the same way.
      const started = Date.now();
      const paused = await sendEvent(transport, specEvent({ type: 'track', messageId: 'm-1' }), settings);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(paused.response).toEqual(down.response);
      await broker.start();
      // As the retry tiers would: again until written.
      let back = paused;
      for (const deadline = Date.now() + 60_000; back.outcome.kind !== 'delivered' && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        back = await sendEvent(transport, specEvent({ type: 'track', messageId: 'm-1' }), settings);
      }
      expect(back.outcome.kind).toBe('delivered');
      const records = await readTopic(admin, topic, 3, 15_000);
      expect(records.map((r) => eventOf(r).messageId)).toEqual(['m-0', 'm-1']);
    } finally {
      await transport.close();
    }
  });
});

// The kafkajs-against-this-broker compatibility check: topics, idempotent producer, consumer
// group join, commits and offset fetch, against the real broker the test setup provides.
import { Writable } from 'node:stream';
import { createLogger } from '@manifold/logger';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { KafkaClient, type ConsumedMessage } from './index';

const logger = testLogger('kafka-smoke');

function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe('Kafka wrapper against a real broker', () => {
  const { kafkaBrokers } = testInfrastructure();
  let client: KafkaClient;

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    client = new KafkaClient({ brokers: kafkaBrokers, clientId: 'kafka-smoke', logger });
  });

  afterAll(async () => {
    await client?.disconnect();
  });

  it('creates a topic, produces keyed messages in order, consumes and commits them, and deletes the topic', async () => {
    const topic = uniqueName('smoke');
    const groupId = uniqueName('smoke-group');
    await client.ensureTopics([{ topic, partitions: 2 }]);
    await client.ensureTopics([{ topic, partitions: 2 }]); // idempotent
    expect(await client.listTopics()).toContain(topic);

    const producer = await client.producer();
    const sent = Array.from({ length: 20 }, (_, i) => ({
      key: `user-${i % 3}`,
      value: JSON.stringify({ n: i }),
      headers: { 'x-seq': String(i) },
    }));
    await producer.send(topic, sent.slice(0, 10), { timeoutMs: 10000 });
    await producer.send(topic, sent.slice(10), { timeoutMs: 10000 });

    const received: ConsumedMessage[] = [];
    const consumer = client.consumer({
      groupId,
      topics: [topic],
      handleBatch: async (batch) => {
        received.push(...batch.messages);
      },
    });
    await consumer.run();
    await waitFor(() => received.length >= 20, 30000, '20 messages');
    await consumer.stop();

    expect(received).toHaveLength(20);
    // One key's messages arrive in the order they were sent.
    for (const key of ['user-0', 'user-1', 'user-2']) {
      const seqs = received.filter((m) => m.key?.toString() === key).map((m) => Number(m.headers['x-seq']));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(received.filter((m) => m.key?.toString() === key).map((m) => m.partition)).size).toBe(1);
    }
    expect(received.map((m) => JSON.parse(m.value?.toString() ?? '{}').n).sort((a, b) => a - b)).toEqual(
      sent.map((_, i) => i),
    );

    // Everything consumed was committed: the group's offsets equal the topic's end offsets.
    const committed = await client.committedOffsets(groupId, topic);
    const ends = await client.endOffsets(topic);
    expect(Object.fromEntries(committed)).toEqual(Object.fromEntries(ends));

    // A member that rejoins the group starts after the committed offsets.
    await producer.send(topic, [{ key: 'user-9', value: 'after-restart' }]);
    const second: ConsumedMessage[] = [];
    const rejoined = client.consumer({
      groupId,
      topics: [topic],
      handleBatch: async (batch) => {
        second.push(...batch.messages);
      },
    });
    await rejoined.run();
    await waitFor(() => second.length >= 1, 30000, 'the message sent after the restart');
    await new Promise((r) => setTimeout(r, 500));
    await rejoined.stop();
    expect(second.map((m) => m.value?.toString())).toEqual(['after-restart']);

    await producer.disconnect();
    await client.deleteTopics([topic]);
    expect(await client.listTopics()).not.toContain(topic);
  }, 90000);

  it('lets several processes ensure the same new topics at once, each sending to them right after, logging no warning', async () => {
    const topics = [uniqueName('race-a'), uniqueName('race-b')];
    // What the services' logs would show: kafkajs's lines about a topic another process created
    // first, and about the producer's deliberate retry limit, are expected and kept out of
    // warn/error, where operators alert.
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const raceLogger = createLogger('kafka-race', 'debug', sink);
    const clients = Array.from(
      { length: 3 },
      (_, i) => new KafkaClient({ brokers: kafkaBrokers, clientId: `kafka-race-${i}`, logger: raceLogger }),
    );
    try {
      await Promise.all(clients.map((c) => c.ensureTopics(topics.map((topic) => ({ topic, partitions: 3 })))));
      for (const c of clients) {
        const producer = await c.producer();
        try {
          for (const topic of topics) await producer.send(topic, [{ key: 'k', value: 'v' }], { timeoutMs: 10000 });
        } finally {
          await producer.disconnect();
        }
      }
      for (const topic of topics) {
        const ends = await client.endOffsets(topic);
        expect(ends.size).toBe(3);
        expect([...ends.values()].reduce((sum, o) => sum + Number(o), 0)).toBe(3);
      }
      expect(lines.map((l) => l.msg)).toContain(
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      );
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);
      await client.deleteTopics(topics);
    } finally {
      await Promise.all(clients.map((c) => c.disconnect()));
    }
  });

  it('on stop, finishes the batch in hand and commits it; a failed batch is not committed', async () => {
    const topic = uniqueName('smoke-drain');
    const groupId = uniqueName('smoke-drain-group');
    await client.ensureTopics([{ topic }]);
    const producer = await client.producer();
    await producer.send(topic, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);

    let started = false;
    let finished = false;
    const consumer = client.consumer({
      groupId,
      topics: [topic],
      handleBatch: async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 1000));
        finished = true;
      },
    });
    await consumer.run();
    await waitFor(() => started, 30000, 'the batch to start');
    await consumer.stop();
    expect(finished).toBe(true);
    expect((await client.committedOffsets(groupId, topic)).get(0)).toBe('3');

    // A handler that throws leaves its batch uncommitted, so it is delivered again.
    const failingGroup = uniqueName('smoke-fail-group');
    let attempts = 0;
    const failing = client.consumer({
      groupId: failingGroup,
      topics: [topic],
      handleBatch: async () => {
        attempts += 1;
        throw new Error('processing failed');
      },
    });
    await failing.run();
    await waitFor(() => attempts >= 2, 30000, 'a redelivery after a failure');
    await failing.stop();
    expect((await client.committedOffsets(failingGroup, topic)).get(0)).toBe('-1');

    await producer.disconnect();
    await client.deleteTopics([topic]);
  }, 90000);

  it('fails a send with KafkaUnavailableError when the topic cannot take it in time', async () => {
    const producer = await client.producer();
    await expect(
      producer.send(uniqueName('no-such-topic'), [{ value: 'x' }], { timeoutMs: 1500 }),
    ).rejects.toMatchObject({ name: 'KafkaUnavailableError' });
    await producer.disconnect();
  }, 30000);
});

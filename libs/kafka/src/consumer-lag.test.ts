import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireKafka, sampleValue, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { startTelemetry, type Telemetry } from '@manifold/telemetry';
import { KafkaClient, type ConsumedMessage, type PartitionOffset } from './index';

const logger = testLogger('kafka-lag');

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('consumer lag', () => {
  const { kafkaBrokers } = testInfrastructure();
  let telemetry: Telemetry;
  let client: KafkaClient;
  let server: Server;

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    telemetry = startTelemetry({ serviceName: 'lag-test' });
    client = new KafkaClient({ brokers: kafkaBrokers, clientId: 'kafka-lag', logger, telemetry });
    server = createServer((req, res) => telemetry.handleMetricsRequest(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await client?.disconnect();
    await telemetry?.shutdown();
  });

  const scrape = async (): Promise<string> =>
    (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text();

  it('is the committed lag per group and partition, read by each scrape, and stops with the consumer', async () => {
    const topic = uniqueName('lag');
    const groupId = uniqueName('lag-group');
    await client.ensureTopics([{ topic, partitions: 2 }]);
    const producer = await client.producer();
    // keys chosen so both partitions get messages
    await producer.send(
      topic,
      Array.from({ length: 12 }, (_, i) => ({ key: `user-${i}`, value: String(i) })),
      { timeoutMs: 10000 },
    );
    const ends = await client.endOffsets(topic);
    expect([...ends.values()].every((end) => Number(end) > 0)).toBe(true);

    // A loader-like member: it reads everything but commits only when told.
    const read: ConsumedMessage[] = [];
    const consumer = client.consumer({
      groupId,
      topics: [topic],
      commitMode: 'manual',
      handleBatch: async (batch) => {
        read.push(...batch.messages);
      },
    });
    await consumer.run();
    await until(
      async () => read.length,
      (n) => n >= 12,
      'all messages read',
    );

    // Nothing committed: the whole topic is lag, though every message was fetched.
    const lagIn = (text: string, partition: number) =>
      sampleValue(text, 'manifold_lag_test_kafka_consumer_lag_messages', {
        group: groupId,
        topic,
        partition: String(partition),
      });
    let text = await scrape();
    for (const [partition, end] of ends) expect(lagIn(text, partition)).toBe(Number(end));

    // Committing partition 0 up to its end leaves only the other partition's messages.
    const offsets: PartitionOffset[] = [{ topic, partition: 0, offset: ends.get(0) as string }];
    await consumer.commit(offsets);
    const lag = await until(
      () => client.consumerLag(),
      (l) => l.find((p) => p.partition === 0)?.lag === 0,
      'partition 0 caught up',
    );
    expect(lag.find((p) => p.partition === 1)).toEqual({ groupId, topic, partition: 1, lag: Number(ends.get(1)) });
    // The metric reuses a reading for a few seconds; a later scrape shows the commit.
    text = await until(scrape, (t) => lagIn(t, 0) === 0, 'the scrape to show partition 0 at 0');
    expect(lagIn(text, 1)).toBe(Number(ends.get(1)));

    await consumer.stop();
    expect(await client.consumerLag()).toEqual([]);
    await producer.disconnect();
    await client.deleteTopics([topic]);
  }, 90000);
});
